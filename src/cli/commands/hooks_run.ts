import { ExitCode } from "../../core/errors.ts";
import { runHook } from "../../hooks/run.ts";
import type { BrContext } from "../context.ts";
import {
  colors,
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  setExit,
  warn,
  withProject,
} from "../output.ts";

type Common = ProjectFlags & JsonFlags;

// Installing and inspecting load with their commands: `br hooks run` (every commit) does not.
const loadInstall = () => import("../../hooks/install.ts");

function split(raw: string | undefined): string[] | undefined {
  return raw?.split(",").map((s) => s.trim()).filter(Boolean);
}

/** `br hooks install` */
export function install(this: BrContext, flags: Common & { hooks?: string }): Promise<void> {
  return withProject(this, flags, async (project) => {
    const { installHooks } = await loadInstall();
    const r = await installHooks(project, { hooks: split(flags.hooks) });
    if (flags.json) return printJson(this, r);
    const c = await colors(this);
    for (const h of r.hooks) {
      print(
        this,
        `${c.green("✓")} ${h.hook}: ${h.action}${h.chained ? ` (runs ${h.chained} first)` : ""}`,
      );
    }
    print(this, c.dim(`hooks folder: ${r.dir}`));
    print(
      this,
      c.dim(
        'using pre-commit, prek, lefthook or husky? "br hooks snippet" prints their config',
      ),
    );
  });
}

/** `br hooks uninstall` */
export function uninstall(this: BrContext, flags: Common & { hooks?: string }): Promise<void> {
  return withProject(this, flags, async (project) => {
    const { uninstallHooks } = await loadInstall();
    const r = await uninstallHooks(project, { hooks: split(flags.hooks) });
    if (flags.json) return printJson(this, r);
    for (const h of r.hooks) {
      const what = h.action === "restored"
        ? "removed, previous hook restored"
        : h.action === "foreign"
        ? "not br's, left alone"
        : h.action;
      print(this, `${h.hook}: ${what}`);
    }
  });
}

/** `br hooks status` */
export function status(this: BrContext, flags: Common): Promise<void> {
  return withProject(this, flags, async (project) => {
    const { hooksStatus } = await loadInstall();
    const s = await hooksStatus(project);
    if (flags.json) return printJson(this, s);
    const c = await colors(this);
    const tools = new Set<string>();
    for (const h of s.hooks) {
      const by = h.owner ?? "another tool";
      let state: string;
      if (h.state === "br") state = c.green("installed");
      else if (h.state === "absent") state = c.dim("not installed");
      else if (h.runs_br) state = c.green(`${by}'s hook, which runs br's first (${h.renamed_to})`);
      else if (h.state === "foreign") state = c.yellow(`${by}'s hook`);
      else {
        tools.add(by);
        state = h.state === "removed"
          ? c.red("removed: br's checks do not run")
          : h.state === "inactive"
          ? c.red(`not run: git runs the hooks in "${s.dir}" now`)
          : c.red(`replaced by ${by}: br's checks do not run`);
        if (h.renamed_to) state += ` (br's hook was renamed to ${h.renamed_to})`;
      }
      print(this, `${h.hook.padEnd(11)} ${state}${h.chained ? ` (chains ${h.chained})` : ""}`);
    }
    print(this, c.dim(`hooks folder: ${s.dir}`));
    if (s.installed_dir) print(this, c.dim(`br installed its hooks in: ${s.installed_dir}`));
    if (tools.size > 0) {
      const which = [...tools].join(", ");
      print(
        this,
        `hint: "br hooks install" puts br's hooks back (${which}'s hook then runs first); ` +
          `if ${which} rewrites its hooks again, let it run br ("br hooks snippet"), then ` +
          `"br hooks uninstall" stops the warning`,
      );
    }
  });
}

/** `br hooks snippet` */
export async function snippet(this: BrContext, flags: Common): Promise<void> {
  const s = (await loadInstall()).hooksSnippet();
  if (flags.json) return printJson(this, s);
  print(this, s.pre_commit);
  print(this, s.lefthook);
  print(this, s.husky);
}

async function readStdin(): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of Deno.stdin.readable) chunks.push(chunk);
  return new TextDecoder().decode(await new Blob(chunks as BlobPart[]).arrayBuffer());
}

/** `br hooks run <hook> [args...]` */
export function runHookCommand(this: BrContext, flags: Common, ...args: string[]): Promise<void> {
  const [hook, ...rest] = args;
  return withProject(this, flags, async (project) => {
    const stdin = hook === "pre-push" && !this.stdinIsTTY ? await readStdin() : "";
    const r = await runHook(project, hook, { args: rest, stdin, cwd: this.cwd });
    if (flags.json) printJson(this, r);
    else {
      const c = await colors(this);
      const quiet = r.checks.every((x) => x.passed && !x.warning);
      if (quiet && r.checks.length) {
        warn(this, `br ${hook}: ${c.green("✓")} ${r.checks.map((x) => x.name).join(", ")}`);
      } else {
        for (const check of r.checks) {
          const mark = !check.passed ? c.red("✗") : check.warning ? c.yellow("!") : c.green("✓");
          warn(this, `br ${hook}: ${mark} ${check.name}`);
          for (const m of check.messages) warn(this, `    ${m}`);
        }
      }
      if (r.staged.length) warn(this, `br ${hook}: staged ${r.staged.join(", ")}`);
      if (!r.passed) {
        warn(
          this,
          `br ${hook}: blocked (fix the problems above; "git ${
            hook === "pre-push" ? "push" : "commit"
          } --no-verify" skips the hooks)`,
        );
      }
    }
    if (!r.passed) setExit(this, ExitCode.checkFailed);
  });
}
