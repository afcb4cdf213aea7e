import { BrError } from "../core/errors.ts";
import { writeFileAtomic } from "../core/fs.ts";
import { join, resolve } from "../core/path.ts";
import { isCompiled, selfCommand } from "../core/self.ts";
import { VERSION } from "../core/version.ts";
import { PLUGIN_NAME } from "./registry.ts";

/** What {@link scaffoldPlugin} created. */
export interface ScaffoldResult {
  /** The plugin project's folder. */
  dir: string;
  /** The files written, relative to it. */
  files: string[];
  /** Where its import map points `@buildrunner/br/plugin`. */
  sdk: string;
}

/**
 * Where a plugin project made by this br finds the SDK: this checkout's `plugin.ts`, or the
 * published package for a compiled binary (which holds no file a project could import).
 */
export function sdkSpecifier(): string {
  return isCompiled()
    ? `jsr:@buildrunner/br@${VERSION}/plugin`
    : new URL("../../plugin.ts", import.meta.url).href;
}

function files(name: string, sdk: string, br: string[]): Record<string, string> {
  const bundle = `dist/${name}.js`;
  return {
    "deno.json": JSON.stringify(
      {
        imports: { "@buildrunner/br/plugin": sdk },
        tasks: {
          bundle: `deno bundle --quiet mod.ts -o ${bundle}`,
          test: "deno test -A mod_test.ts",
        },
      },
      null,
      2,
    ) + "\n",
    "mod.ts": `/**
 * The ${name} plugin for BuildRunner. Build it with "deno task bundle" and install the bundle
 * in a project with "br plugin add ${bundle}".
 *
 * @module
 */
import { definePlugin } from "@buildrunner/br/plugin";

export default definePlugin({
  manifest: {
    name: "${name}",
    version: "0.1.0",
    apiVersion: 1,
    description: "Says hello",
    // What it may touch; br grants exactly this (or less) and nothing else.
    permissions: { read: [], write: [], net: [], env: [] },
  },
  events: {
    "feature.completed": async (event, ctx) => {
      await ctx.kv.set("last-completed", event.payload.id);
    },
  },
  commands: {
    hello: {
      brief: "Says hello",
      run: async (args, ctx) => {
        const last = await ctx.kv.get("last-completed");
        ctx.log.info("greeting", args[0] ?? "world");
        return {
          output: \`Hello, \${args[0] ?? "world"}! (project \${ctx.project.name}, last completed: \${
            last ?? "none"
          })\`,
        };
      },
    },
  },
});
`,
    "mod_test.ts":
      `// Runs the bundled plugin in the real host: a br found through BR_BIN, or the br that made
// this project.
import assert from "node:assert/strict";

const BR: string[] = Deno.env.get("BR_BIN") ? [Deno.env.get("BR_BIN")!] : ${JSON.stringify(br)};
const here = new URL(".", import.meta.url).pathname;

async function run(cmd: string[], cwd: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(cmd[0], {
    args: cmd.slice(1),
    cwd,
    env: { NO_COLOR: "1", BR_NO_TELEMETRY: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("${name} runs in br's plugin host", async () => {
  const bundled = await run([Deno.execPath(), "task", "--quiet", "bundle"], here);
  assert.equal(bundled.code, 0, bundled.stderr);
  const dir = await Deno.makeTempDir();
  try {
    const br = (...args: string[]) => run([...BR, ...args], dir);
    const init = await br("init", "--name", "demo");
    assert.equal(init.code, 0, init.stderr);
    const add = await br("plugin", "add", \`\${here}${bundle}\`, "--yes");
    assert.equal(add.code, 0, add.stderr);
    const hello = await br("${name}", "hello", "Ada");
    assert.equal(hello.code, 0, hello.stderr);
    assert.equal(hello.stdout, "Hello, Ada! (project demo, last completed: none)\\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
`,
    "README.md": `# ${name}

A BuildRunner plugin.

- \`deno task bundle\` builds \`${bundle}\`, the one file br installs.
- \`deno task test\` bundles it and runs it in br's plugin host (set \`BR_BIN\` to test
  another br).
- \`br plugin add ${bundle}\` installs it in a project; \`br ${name} hello\` runs its command.
`,
  };
}

/**
 * Creates a plugin project: deno.json (its import map points `@buildrunner/br/plugin` at this
 * br's SDK; a bundle task), mod.ts, and a test that bundles the plugin and runs it in the real
 * host. It builds and passes its test offline, before anything is published.
 *
 * @throws {BrError} `usage` for an invalid name, `conflict` when the folder is not empty.
 */
export async function scaffoldPlugin(
  name: string,
  dir: string,
  env: Record<string, string | undefined> = {},
): Promise<ScaffoldResult> {
  if (!PLUGIN_NAME.test(name)) {
    throw new BrError("usage", `Invalid plugin name "${name}"`, {
      hint: "use lower-case letters, digits and dashes, starting with a letter",
    });
  }
  const target = resolve(dir);
  try {
    for (const _ of Deno.readDirSync(target)) {
      throw new BrError(
        "conflict",
        `Cannot create plugin "${name}" in "${target}": it is not empty`,
        {
          hint: "choose another folder with --dir",
        },
      );
    }
  } catch (err) {
    if (!(err instanceof Deno.errors.NotFound)) throw err;
  }
  const sdk = sdkSpecifier();
  const content = files(name, sdk, selfCommand({ ...env, BR_BIN: undefined }));
  for (const [file, text] of Object.entries(content)) {
    await writeFileAtomic(join(target, file), text);
  }
  return { dir: target, files: Object.keys(content).sort(), sdk };
}
