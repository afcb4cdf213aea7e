import { SKIP_DIRS } from "../core/walk.ts";
import { join, relative } from "../core/path.ts";
import type { Project } from "../core/project.ts";
import { isAssignment } from "./dotenv.ts";

/** Where a variable or service was seen. */
export interface EnvSource {
  /** File, relative to the project root. */
  file: string;
  /** 1-based line, or null. */
  line: number | null;
  /** How: `code`, `docker-compose`, `env-example`, `prisma` or `sdk:<package>`. */
  how: string;
}

/** A variable the project needs. */
export interface EnvVariable {
  /** Its name. */
  name: string;
  /** Where it was seen, sorted. */
  sources: EnvSource[];
}

/** A service the project uses (a docker-compose service or a known SDK's provider). */
export interface EnvService {
  /** Its name. */
  name: string;
  /** Its image (docker-compose), or null. */
  image: string | null;
  /** Where it was seen. */
  sources: EnvSource[];
}

/** What `br env detect` finds. */
export interface EnvDetection {
  /** Variables, sorted by name. */
  variables: EnvVariable[];
  /** Services, sorted by name. */
  services: EnvService[];
}

/** The start and end lines of the block `br env template` manages in `.env.example`. */
export const BLOCK_START = "# >>> br env template (managed: rewritten by br; edit outside) >>>";
/** The end line of the managed block. */
export const BLOCK_END = "# <<< br env template <<<";

const NAME = "([A-Za-z_][A-Za-z0-9_]*)";
const Q = "[\"'`]";
/** How code reads a variable, for each language. */
const CODE_PATTERNS: RegExp[] = [
  new RegExp(`Deno\\.env\\.get\\(\\s*${Q}${NAME}${Q}`, "g"),
  new RegExp(`process\\.env\\.${NAME}`, "g"),
  new RegExp(`process\\.env\\[\\s*${Q}${NAME}${Q}\\s*\\]`, "g"),
  new RegExp(`import\\.meta\\.env\\.${NAME}`, "g"),
  new RegExp(`os\\.environ\\[\\s*${Q}${NAME}${Q}\\s*\\]`, "g"),
  new RegExp(`os\\.environ\\.get\\(\\s*${Q}${NAME}${Q}`, "g"),
  new RegExp(`os\\.getenv\\(\\s*${Q}${NAME}${Q}`, "g"),
  new RegExp(`os\\.Getenv\\(\\s*"${NAME}"`, "g"),
  new RegExp(`ENV\\[\\s*${Q}${NAME}${Q}\\s*\\]`, "g"),
  new RegExp(`ENV\\.fetch\\(\\s*${Q}${NAME}${Q}`, "g"),
  new RegExp(`env::var\\(\\s*"${NAME}"`, "g"),
];

/** Known SDKs and the variables they read by themselves. */
const SDKS: { service: string; js?: string; py?: string; vars: string[] }[] = [
  { service: "openai", js: "openai", py: "openai", vars: ["OPENAI_API_KEY"] },
  {
    service: "anthropic",
    js: "@anthropic-ai/sdk",
    py: "anthropic",
    vars: ["ANTHROPIC_API_KEY"],
  },
  {
    service: "aws",
    js: "@aws-sdk/",
    py: "boto3",
    vars: ["AWS_ACCESS_KEY_ID", "AWS_REGION", "AWS_SECRET_ACCESS_KEY"],
  },
  { service: "sentry", js: "@sentry/", py: "sentry_sdk", vars: ["SENTRY_DSN"] },
  {
    service: "google-cloud",
    js: "@google-cloud/",
    py: "google.cloud",
    vars: ["GOOGLE_APPLICATION_CREDENTIALS"],
  },
  { service: "groq", js: "groq-sdk", py: "groq", vars: ["GROQ_API_KEY"] },
];

const CODE_EXT = /\.(?:[cm]?[jt]sx?|py|go|rb|rs|vue|svelte)$/;
const COMPOSE = /^(?:docker-)?compose(?:\.[\w-]+)?\.ya?ml$/;
const EXAMPLE = /^\.env\.(?:example|sample|template|dist)$/;
const MAX_BYTES = 1024 * 1024;

function lineAt(text: string, index: number): number {
  let n = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** The files to read: code, docker-compose, `.env.example` and Prisma schemas. */
function* files(root: string, dir = root): Generator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = [...Deno.readDirSync(dir)];
  } catch {
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory) {
      if (SKIP_DIRS.has(e.name) || e.name.startsWith(".")) continue;
      yield* files(root, path);
    } else if (
      e.isFile &&
      (CODE_EXT.test(e.name) || COMPOSE.test(e.name) || EXAMPLE.test(e.name) ||
        e.name.endsWith(".prisma"))
    ) yield path;
  }
}

/** The lines of `.env.example` outside br's managed block. */
export function userLines(text: string): string[] {
  const out: string[] = [];
  let inBlock = false;
  for (const line of text.replace(/\r\n?/g, "\n").split("\n")) {
    if (line === BLOCK_START) inBlock = true;
    else if (line === BLOCK_END) inBlock = false;
    else if (!inBlock) out.push(line);
  }
  return out;
}

/**
 * The variables and services the project needs, from its code (`Deno.env.get`,
 * `process.env.X`, `os.environ[...]`, `os.getenv`, ...), its docker-compose files,
 * `.env.example` (outside br's managed block), Prisma schemas and the known SDKs it imports.
 */
export function detectEnv(project: Project): EnvDetection {
  const vars = new Map<string, EnvSource[]>();
  const services = new Map<string, EnvService>();
  const addVar = (name: string, s: EnvSource) => {
    const list = vars.get(name) ?? [];
    if (!list.some((x) => x.file === s.file && x.line === s.line && x.how === s.how)) {
      list.push(s);
    }
    vars.set(name, list);
  };
  const addService = (name: string, image: string | null, s: EnvSource) => {
    const svc = services.get(name) ?? { name, image, sources: [] };
    svc.image ??= image;
    svc.sources.push(s);
    services.set(name, svc);
  };
  for (const path of files(project.root)) {
    let text: string;
    try {
      if (Deno.statSync(path).size > MAX_BYTES) continue;
      text = new TextDecoder().decode(Deno.readFileSync(path));
    } catch {
      continue;
    }
    const file = relative(project.root, path);
    const name = path.slice(path.lastIndexOf("/") + 1);
    if (EXAMPLE.test(name)) {
      userLines(text).forEach((l, i) => {
        const v = isAssignment(l);
        if (v) addVar(v, { file, line: i + 1, how: "env-example" });
      });
    } else if (COMPOSE.test(name)) {
      compose(text, file, addVar, addService);
    } else if (name.endsWith(".prisma")) {
      for (const m of text.matchAll(/env\(\s*"([A-Za-z_]\w*)"\s*\)/g)) {
        addVar(m[1], { file, line: lineAt(text, m.index), how: "prisma" });
      }
    } else {
      for (const re of CODE_PATTERNS) {
        for (const m of text.matchAll(re)) {
          addVar(m[1], { file, line: lineAt(text, m.index), how: "code" });
        }
      }
      const py = name.endsWith(".py");
      for (const sdk of SDKS) {
        const mod = py ? sdk.py : sdk.js;
        if (!mod) continue;
        const re = py ? new RegExp(`^\\s*(?:import|from)\\s+${escape(mod)}\\b`, "m") : new RegExp(
          `(?:from\\s+|require\\(\\s*|import\\(\\s*|import\\s+)["'](?:npm:)?${escape(mod)}${
            mod.endsWith("/") ? "" : `(?:["'@/])`
          }`,
        );
        const m = re.exec(text);
        if (!m) continue;
        const s = { file, line: lineAt(text, m.index), how: `sdk:${sdk.service}` };
        addService(sdk.service, null, s);
        for (const v of sdk.vars) addVar(v, s);
      }
    }
  }
  const order = (a: EnvSource, b: EnvSource) =>
    a.file < b.file ? -1 : a.file > b.file ? 1 : (a.line ?? 0) - (b.line ?? 0);
  return {
    variables: [...vars].map(([name, sources]) => ({ name, sources: sources.sort(order) }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
    services: [...services.values()].map((s) => ({ ...s, sources: s.sources.sort(order) }))
      .sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
}

/** Services, images, `environment:` entries and `${VAR}` uses of a docker-compose file. */
function compose(
  text: string,
  file: string,
  addVar: (name: string, s: EnvSource) => void,
  addService: (name: string, image: string | null, s: EnvSource) => void,
): void {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  let inServices = false;
  let service: { name: string; line: number; indent: number } | null = null;
  let image: string | null = null;
  let envIndent = -1;
  const flush = () => {
    if (service) {
      addService(service.name, image, { file, line: service.line, how: "docker-compose" });
    }
    service = null;
    image = null;
  };
  lines.forEach((raw, i) => {
    const line = i + 1;
    for (const m of raw.matchAll(/\$\{([A-Za-z_]\w*)(?::?[-?+][^}]*)?\}/g)) {
      addVar(m[1], { file, line, how: "docker-compose" });
    }
    if (/^\s*(#|$)/.test(raw)) return;
    const indent = raw.length - raw.trimStart().length;
    if (indent === 0) {
      flush();
      inServices = /^services:\s*$/.test(raw);
      envIndent = -1;
      return;
    }
    if (!inServices) return;
    const key = /^(\s+)([\w.-]+):\s*(.*)$/.exec(raw);
    if (!service || indent <= service.indent) {
      if (key) {
        flush();
        service = { name: key[2], line, indent };
      }
      envIndent = -1;
      return;
    }
    if (envIndent >= 0 && indent > envIndent) {
      // Entries without a value pass the host's variable on: `- NAME` or `NAME:`.
      const item = /^\s+-\s*["']?([A-Za-z_]\w*)["']?\s*$/.exec(raw) ??
        /^\s+([A-Za-z_]\w*)\s*:\s*$/.exec(raw);
      if (item) addVar(item[1], { file, line, how: "docker-compose" });
      return;
    }
    envIndent = -1;
    if (key?.[2] === "image") image = key[3].replace(/^["']|["']$/g, "") || null;
    if (key?.[2] === "environment" && key[3] === "") envIndent = indent;
  });
  flush();
}
