import { BrError, ExitCode } from "../../core/errors.ts";
import type { BrEvent } from "../../core/events.ts";
import { urlPasswords } from "../../core/store.ts";
import {
  cleanupParallel,
  type InterruptedMerge,
  listParallelRuns,
  type ParallelReport,
  parallelReport,
  type ParallelStatus,
  parallelStatus,
  parseDuration,
  pauseParallel,
  resumeParallel,
  runParallel,
  type RunReport,
  runWorker,
  stopParallel,
  type TaskStatus,
} from "../../orchestrator/mod.ts";
import type { BrContext } from "../context.ts";
import {
  colors,
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  setExit,
  usage,
  warn,
  withProject,
} from "../output.ts";

type Common = ProjectFlags & JsonFlags;

interface RunFlags extends Common {
  workers?: number;
  features?: string;
  allReady?: boolean;
  agent?: string;
  agentCommand?: string;
  timeout?: string;
  retries?: number;
  maxCost?: number;
  base?: string;
  noMerge?: boolean;
  allowPartial?: boolean;
  database?: string;
  remote?: string;
}

/**
 * The context with `--database` as the store URL of this command (`BR_DATABASE_URL`). The
 * distributed modes share a PostgreSQL store; another URL is refused (naming its scheme only:
 * a URL may hold a password).
 */
function withDatabase(ctx: BrContext, url: string | undefined): BrContext {
  if (url === undefined) return ctx;
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1];
    usage(
      `Invalid --database${scheme ? ` (a ${scheme} URL)` : ""}: expected a postgres:// URL`,
      "pass postgres://user@host:5432/db, the store coordinator and workers share",
    );
  }
  if (urlPasswords(url).length) {
    warn(
      ctx,
      "warning: --database holds a password, which other users of this machine can read in the process list; set BR_DATABASE_URL instead (or give the password in PGPASSWORD)",
    );
  }
  // The store's hints then name the flag, not the variable.
  return { ...ctx, env: { ...ctx.env, BR_DATABASE_URL: url, BR_DATABASE_URL_FROM: "--database" } };
}

function progress(ctx: BrContext, json: boolean | undefined) {
  return (e: BrEvent) => {
    if (json) return;
    const p = e.payload as Record<string, unknown>;
    const f = e.feature ?? "";
    let line: string | null = null;
    switch (e.type) {
      case "task.started":
        line = `▶ ${f} started (attempt ${p.attempt}, ${p.worker})`;
        break;
      case "task.retried":
        line = `↻ ${f} will retry: ${p.error}`;
        break;
      case "task.completed":
        line = `✓ ${f} done`;
        break;
      case "task.failed":
        line = `✗ ${f}: ${p.error ?? "failed"}`;
        break;
      case "worker.lost":
        line = `! orphaned agent of ${f} (pid ${p.pid}) stopped`;
        break;
    }
    if (line) warn(ctx, line);
  };
}

function withInterrupt<T>(fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const ac = new AbortController();
  const onSig = () => ac.abort();
  let listening = false;
  try {
    Deno.addSignalListener("SIGINT", onSig);
    listening = true;
  } catch {
    // not supported here: Ctrl-C then ends br, and "br parallel resume" picks the run up
  }
  return fn(ac.signal).finally(() => {
    if (listening) Deno.removeSignalListener("SIGINT", onSig);
  });
}

function interruptedLine(m: InterruptedMerge): string {
  const where = m.checkout === "." ? "the main checkout" : m.checkout;
  return m.outcome === "aborted"
    ? `The merge of ${m.feature} in ${where}, cut short by the kill, was aborted`
    : `The merge of ${m.feature} in ${where} had committed; git's leftover merge state was cleared`;
}

/** One line per task for the end of a run: feature, state, and why it did not merge. */
function summaryLine(t: TaskStatus): string {
  const why = t.state === "merged"
    ? (t.merge_commit ? ` (${t.merge_commit.slice(0, 12)})` : "") + (t.error ? `: ${t.error}` : "")
    : t.state === "conflict"
    ? `: conflict in ${t.conflict_files.join(", ")}`
    : t.error
    ? `: ${t.error}`
    : "";
  return `${t.feature}: ${t.state}${why}`;
}

async function runReport(
  ctx: BrContext,
  flags: JsonFlags & { allowPartial?: boolean },
  rep: RunReport,
): Promise<void> {
  if (flags.json) printJson(ctx, rep);
  else if (!rep.run) print(ctx, "No feature is ready to run.");
  else {
    if (rep.recovery) {
      const r = rep.recovery;
      print(
        ctx,
        `Recovered: ${r.orphans_stopped.length} orphaned agent(s) stopped, ${r.requeued.length} task(s) requeued, ${r.continued.length} continued, ${r.claims_released} claim(s) released`,
      );
      for (const m of r.interrupted_merges) print(ctx, interruptedLine(m));
    }
    await renderStatus(ctx, rep);
  }
  if (!rep.run) return;
  // Stderr, so that it follows --json output too: what each task came to, and why.
  for (const t of rep.tasks) warn(ctx, summaryLine(t));
  if (rep.run.state === "stopped") setExit(ctx, ExitCode.interrupted);
  // "failed": a task ended failed, skipped, in conflict, or in review of a run that merges.
  else if (rep.run.state === "failed" && !flags.allowPartial) {
    setExit(ctx, ExitCode.checkFailed);
  }
}

/** `br parallel run` */
export function run(this: BrContext, flags: RunFlags): Promise<void> {
  if (flags.features && flags.allReady) {
    throw new BrError("usage", "--features and --all-ready exclude each other", {
      hint: "pass one of them",
    });
  }
  if (flags.agent && flags.agentCommand) {
    throw new BrError("usage", "--agent and --agent-command exclude each other", {
      hint: "--agent-command is the command profile",
    });
  }
  const ctx = withDatabase(this, flags.database);
  return withProject(ctx, flags, (project) => {
    project.bus.on("*", progress(ctx, flags.json));
    return withInterrupt(async (signal) => {
      const rep = await runParallel(project, {
        workers: flags.workers,
        features: flags.features?.split(",").map((s) => s.trim()).filter(Boolean),
        allReady: flags.allReady,
        agent: flags.agent,
        agentCommand: flags.agentCommand,
        timeout: flags.timeout,
        retries: flags.retries,
        maxCostUsd: flags.maxCost,
        base: flags.base,
        noMerge: flags.noMerge,
        remote: flags.remote,
        signal,
      });
      await runReport(ctx, flags, rep);
    });
  });
}

interface WorkerFlags extends Common {
  database?: string;
  remote?: string;
  once?: boolean;
  maxTasks?: number;
  lease?: string;
  agent?: string;
  agentCommand?: string;
}

/** `br parallel worker` */
export function worker(this: BrContext, flags: WorkerFlags, id?: string): Promise<void> {
  if (flags.agent && flags.agentCommand) {
    throw new BrError("usage", "--agent and --agent-command exclude each other", {
      hint: "--agent-command is the command profile",
    });
  }
  const ctx = withDatabase(this, flags.database);
  return withProject(ctx, flags, (project) =>
    withInterrupt(async (signal) => {
      const rep = await runWorker(project, {
        run: id,
        remote: flags.remote,
        once: flags.once,
        maxTasks: flags.maxTasks || undefined,
        lease: flags.lease,
        agent: flags.agent,
        agentCommand: flags.agentCommand,
        signal,
        onProgress: (event, t) => {
          if (flags.json) return;
          if (event === "claimed") warn(ctx, `▶ ${t.feature} claimed (attempt ${t.attempt})`);
          else if (t.outcome === "pushed") {
            warn(
              ctx,
              `✓ ${t.feature} pushed (${t.commit?.slice(0, 12)}), the coordinator merges it`,
            );
          } else warn(ctx, `✗ ${t.feature}: ${t.outcome}${t.error ? `: ${t.error}` : ""}`);
        },
      });
      if (flags.json) printJson(ctx, rep);
      else print(ctx, `Worker ${rep.worker} done: ${rep.tasks.length} task(s) of run ${rep.run}`);
      if (signal.aborted) setExit(ctx, ExitCode.interrupted);
    }));
}

/** `br parallel resume` */
export function resume(
  this: BrContext,
  flags: Common & { allowPartial?: boolean },
  id?: string,
): Promise<void> {
  return withProject(this, flags, async (project) => {
    // A paused run whose br process is alive goes on there; any other run is recovered here.
    const open = await parallelStatus(project, id);
    if (open.run?.state === "running" && open.run.paused && !open.run.interrupted) {
      const res = await pauseParallel(project, { run: open.run.id, paused: false });
      if (flags.json) return printJson(this, res);
      return print(
        this,
        `Resumed run ${res.run}: its br process (${open.run.pid}) starts tasks again`,
      );
    }
    project.bus.on("*", progress(this, flags.json));
    return withInterrupt(async (signal) => {
      await runReport(this, flags, await resumeParallel(project, { run: id, signal }));
    });
  });
}

function fmtMs(ms: number | null): string {
  if (ms === null) return "-";
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

function fmtUsd(n: number | null): string {
  return n === null ? "-" : `$${n.toFixed(4)}`;
}

function taskLine(t: TaskStatus): string {
  const note = t.state === "conflict"
    ? `conflict in ${t.conflict_files.join(", ")}`
    : t.error ?? t.phase ?? "";
  return [
    t.feature.padEnd(20),
    t.state.padEnd(9),
    `${t.attempt}/${t.max_attempts}`.padEnd(5),
    fmtMs(t.elapsed_ms).padEnd(7),
    fmtUsd(t.cost_usd).padEnd(9),
    note,
  ].join(" ").trimEnd();
}

async function renderStatus(ctx: BrContext, st: ParallelStatus): Promise<void> {
  const c = await colors(ctx);
  const r = st.run;
  if (!r) {
    print(ctx, "No parallel run yet. Start one: br parallel run");
    return;
  }
  const state = r.interrupted
    ? c.yellow("interrupted")
    : r.paused
    ? c.yellow("running, paused")
    : r.state;
  const counts = Object.entries(r.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  print(
    ctx,
    `${c.bold(r.id)}  ${state}  agent ${r.agent}  ${
      r.remote ? `workers via ${r.remote}` : `${r.workers} worker(s)`
    }  base ${r.base_branch}`,
  );
  print(ctx, `  ${counts.join(", ") || "no tasks"}  cost ${fmtUsd(r.cost_usd)}`);
  if (r.interrupted) {
    print(ctx, c.yellow(`  its br process is gone: run "br parallel resume ${r.id}"`));
  }
  print(
    ctx,
    c.dim(
      `  ${"FEATURE".padEnd(20)} ${"STATE".padEnd(9)} ${"TRY".padEnd(5)} ${"TIME".padEnd(7)} ${
        "COST".padEnd(9)
      } NOTE`,
    ),
  );
  for (const t of st.tasks) print(ctx, `  ${taskLine(t)}`);
  // Workers of a remote run (br parallel worker), on this or other machines.
  const remote = st.workers.filter((w) => w.host !== null);
  if (remote.length) {
    print(ctx, c.dim(`  ${"WORKER".padEnd(40)} ${"HOST".padEnd(16)} ${"STATE".padEnd(5)} TASK`));
    for (const w of remote) {
      const task = w.task ? w.task.slice(w.task.lastIndexOf("/") + 1) : "-";
      const lease = w.lease_until ? `  lease until ${w.lease_until}` : "";
      print(
        ctx,
        `  ${w.id.slice(w.id.lastIndexOf("/") + 1).padEnd(40)} ${(w.host ?? "").padEnd(16)} ${
          w.state.padEnd(5)
        } ${task}${lease}`,
      );
    }
  }
}

/** `br parallel status` */
export function status(
  this: BrContext,
  flags: Common & { database?: string },
  id?: string,
): Promise<void> {
  const ctx = withDatabase(this, flags.database);
  return withProject(ctx, flags, async (project) => {
    const st = await parallelStatus(project, id);
    if (flags.json) return printJson(ctx, st);
    await renderStatus(ctx, st);
  });
}

function reportMarkdown(rep: ParallelReport): string {
  const r = rep.run;
  const cell = (v: string) => v.replace(/\|/g, "\\|").replace(/\n/g, " ");
  const lines = [
    `# Parallel run ${r.id}`,
    "",
    `${r.state}, agent ${r.agent}, ${r.workers} worker(s), base \`${r.base_branch}\`, started ${r.created_at}${
      r.finished_at ? `, finished ${r.finished_at}` : ""
    }, cost ${fmtUsd(r.cost_usd)}`,
    "",
    "| Feature | Outcome | Duration | Attempts | Cost | Gates | Merge commit | Note |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const t of rep.tasks) {
    lines.push(
      `| ${
        [
          t.feature,
          t.outcome,
          fmtMs(t.duration_ms),
          String(t.attempts),
          fmtUsd(t.cost_usd),
          t.gates.join(", ") || "-",
          t.merge_commit ? `\`${t.merge_commit.slice(0, 12)}\`` : "-",
          t.note ?? "",
        ].map(cell).join(" | ")
      } |`,
    );
  }
  return lines.join("\n");
}

/** `br parallel report` */
export function report(
  this: BrContext,
  flags: Common & { format?: string },
  id?: string,
): Promise<void> {
  const format = flags.json ? "json" : (flags.format ?? "text").toLowerCase();
  if (!["text", "json", "markdown"].includes(format)) {
    usage(`Unknown format "${flags.format}"`, "use one of: text, json, markdown");
  }
  return withProject(this, flags, async (project) => {
    const rep = await parallelReport(project, id);
    if (format === "json") return printJson(this, rep);
    if (format === "markdown") return print(this, reportMarkdown(rep));
    const r = rep.run;
    print(this, `${r.id}  ${r.state}  agent ${r.agent}  cost ${fmtUsd(r.cost_usd)}`);
    for (const t of rep.tasks) {
      print(
        this,
        [
          `  ${t.feature.padEnd(20)}`,
          t.outcome.padEnd(9),
          fmtMs(t.duration_ms).padEnd(7),
          `${t.attempts} attempt(s)`.padEnd(12),
          fmtUsd(t.cost_usd).padEnd(9),
          (t.merge_commit?.slice(0, 12) ?? "-").padEnd(12),
          t.gates.join(",") || "-",
          t.note ? `  ${t.note}` : "",
        ].join(" ").trimEnd(),
      );
    }
  });
}

/** `br parallel list` */
export function list(this: BrContext, flags: Common): Promise<void> {
  return withProject(this, flags, async (project) => {
    const runs = await listParallelRuns(project);
    if (flags.json) return printJson(this, runs);
    if (runs.length === 0) return print(this, "No parallel run yet.");
    for (const r of runs) {
      const counts = Object.entries(r.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
      print(
        this,
        `${r.id}  ${r.interrupted ? "interrupted" : r.state}  ${r.created_at}  ${
          counts.join(", ")
        }`,
      );
    }
  });
}

/** `br parallel stop` */
export function stop(this: BrContext, flags: Common, id?: string): Promise<void> {
  return withProject(this, flags, async (project) => {
    const res = await stopParallel(project, { run: id });
    if (flags.json) return printJson(this, res);
    if (res.requested) print(this, `Asked run ${res.run} to stop: now ${res.state}`);
    else {
      print(this, `Run ${res.run} is ${res.state}`);
      if (res.orphans_stopped.length) {
        print(this, `  stopped agents left running: ${res.orphans_stopped.join(", ")}`);
      }
      for (const m of res.interrupted_merges) print(this, `  ${interruptedLine(m)}`);
    }
  });
}

/** `br parallel pause` */
export function pause(this: BrContext, flags: Common, id?: string): Promise<void> {
  return withProject(this, flags, async (project) => {
    const res = await pauseParallel(project, { run: id, paused: true });
    if (flags.json) return printJson(this, res);
    print(
      this,
      res.live
        ? `Paused run ${res.run}: no new task starts; running ones finish (br parallel resume goes on)`
        : `Paused run ${res.run} (its br process is gone; br parallel resume continues it)`,
    );
  });
}

/** `br parallel cleanup` */
export function cleanup(this: BrContext, flags: Common & { force?: boolean }): Promise<void> {
  return withProject(this, flags, async (project) => {
    const res = await cleanupParallel(project, { force: flags.force });
    if (flags.json) return printJson(this, res);
    if (!res.removed.length && !res.kept.length) return print(this, "No task worktree to remove.");
    for (const w of res.removed) print(this, `removed ${w}`);
    for (const b of res.branches_deleted) print(this, `deleted branch ${b}`);
    for (const k of res.kept) print(this, `kept    ${k.worktree}: ${k.reason}`);
  });
}

function dashboardView(st: ParallelStatus): string[] {
  const r = st.run!;
  const lines = [
    `${r.id}  ${r.interrupted ? "interrupted" : r.paused ? "running, paused" : r.state}  ${
      Object.entries(r.counts).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`).join(", ")
    }  cost ${fmtUsd(r.cost_usd)}`,
  ];
  for (const t of st.tasks) {
    lines.push(`  ${taskLine(t)}`);
    if (t.state === "running" && t.last_line) lines.push(`      > ${t.last_line}`);
  }
  return lines;
}

/** `br parallel dashboard` */
export function dashboard(
  this: BrContext,
  flags: Common & { interval?: string; once?: boolean },
  id?: string,
): Promise<void> {
  const every = parseDuration(flags.interval ?? "1s", "interval");
  return withProject(this, flags, async (project) => {
    const seen = new Map<string, string>();
    while (true) {
      const st = await parallelStatus(project, id);
      // One document: the view of this moment, as "br parallel status --json" gives it.
      if (flags.json) return printJson(this, st);
      if (!st.run) return print(this, "No parallel run yet. Start one: br parallel run");
      if (this.stdoutIsTTY) {
        this.process.stdout.write("\x1b[H\x1b[2J" + dashboardView(st).join("\n") + "\n");
      } else {
        for (const t of st.tasks) {
          const key = `${t.state}|${t.phase ?? ""}|${t.last_line ?? ""}`;
          if (seen.get(t.id) === key) continue;
          seen.set(t.id, key);
          print(
            this,
            `${project.clock.now().toISOString()} ${taskLine(t)}${
              t.state === "running" && t.last_line ? ` | ${t.last_line}` : ""
            }`,
          );
        }
      }
      if (flags.once || st.run.state !== "running" || st.run.interrupted) return;
      await new Promise((r) => setTimeout(r, every));
    }
  });
}
