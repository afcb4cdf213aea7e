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
      c.dim('using pre-commit, prek or lefthook instead? "br hooks snippet" prints their config'),
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
    for (const h of s.hooks) {
      const state = h.state === "br"
        ? c.green("installed")
        : h.state === "foreign"
        ? c.yellow("another tool's hook")
        : c.dim("not installed");
      print(this, `${h.hook.padEnd(11)} ${state}${h.chained ? ` (chains ${h.chained})` : ""}`);
    }
    print(this, c.dim(`hooks folder: ${s.dir}`));
  });
}

/** `br hooks snippet` */
export async function snippet(this: BrContext, flags: Common): Promise<void> {
  const s = (await loadInstall()).hooksSnippet();
  if (flags.json) return printJson(this, s);
  print(this, s.pre_commit);
  print(this, s.lefthook);
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
