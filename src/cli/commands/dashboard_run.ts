import { BrError } from "../../core/errors.ts";
import { dirname, resolve } from "../../core/path.ts";
import type { BrContext } from "../context.ts";
import { type Colors, colors, print, printJson, usage, warn } from "../output.ts";
import { table } from "../table.ts";
import type { DashboardReader, ProjectSnapshot, TimelineEntry } from "../../dashboard/mod.ts";

type View = "overview" | "detail" | "timeline" | "alerts";

interface Discovery {
  roots?: string;
  depth?: number;
}

/** Roots and depth: the flags (roots remembered in the global config), else the config. */
async function settings(
  ctx: BrContext,
  flags: Discovery,
): Promise<{ roots: string[]; depth: number }> {
  await import("../../dashboard/config.ts");
  const { globalConfigPath, loadConfig, writeConfigValue } = await import("../../core/config.ts");
  const file = globalConfigPath(ctx.env);
  const config = await loadConfig({ globalFile: file, env: ctx.env });
  const depth = flags.depth ?? config.get<number>("dashboard.depth") ?? 3;
  if (flags.roots === undefined) {
    const saved = config.get<string[]>("dashboard.roots") ?? [];
    return { roots: saved.length ? saved.map((r) => resolve(ctx.cwd, r)) : [ctx.cwd], depth };
  }
  const roots = [
    ...new Set(
      flags.roots.split(",").map((r) => r.trim()).filter(Boolean).map((r) => resolve(ctx.cwd, r)),
    ),
  ];
  if (!roots.length) usage("No folder in --roots", "pass folders, e.g. --roots ~/code,~/work");
  for (const root of roots) {
    let dir = false;
    try {
      dir = Deno.statSync(root).isDirectory;
    } catch {
      // reported below
    }
    if (!dir) {
      throw new BrError("not_found", `Cannot find folder "${root}" (from --roots)`, {
        hint: "pass existing folders, comma-separated",
      });
    }
  }
  if (file && JSON.stringify(config.get("dashboard.roots")) !== JSON.stringify(roots)) {
    await Deno.mkdir(dirname(file), { recursive: true });
    await writeConfigValue(file, "dashboard.roots", roots);
  }
  return { roots, depth };
}

// Names, reasons and paths come from the projects' files: no terminal control sequences.
function clean(text: string): string {
  // deno-lint-ignore no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, "?");
}

function usd(n: number): string {
  return `$${n.toFixed(2)}`;
}

function ago(iso: string | null, now: Date): string {
  if (!iso) return "-";
  const s = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

function healthWord(c: Colors, h: string): string {
  return h === "healthy" ? c.green(h) : h === "warning" ? c.yellow(h) : c.red(h);
}

function gatesWord(p: ProjectSnapshot): string {
  if (!p.gates.length) return "-";
  const failed = p.gates.filter((g) => !g.passed).map((g) => g.gate);
  return failed.length ? `failed: ${failed.join(",")}` : `${p.gates.length} passed`;
}

function overviewLines(rows: ProjectSnapshot[], c: Colors, now: Date): string[] {
  if (!rows.length) return ["No BuildRunner projects found. Pass --roots or run br init in one."];
  const head = [
    "PROJECT",
    "HEALTH",
    "DONE",
    "IN PROGRESS",
    "BLOCKED",
    "GATES",
    "SECRETS",
    "TODAY",
    "WEEK",
    "WORKERS",
    "LAST ACTIVITY",
  ];
  const body = rows.map((p) => [
    clean(p.name),
    healthWord(c, p.health),
    p.error ? "-" : `${p.completion_percentage}%`,
    String(p.counts.in_progress),
    String(p.counts.blocked),
    gatesWord(p),
    p.findings ? String(p.findings.secrets) : "-",
    usd(p.cost_today_usd),
    usd(p.cost_week_usd),
    p.workers.run ? `${p.workers.busy}/${p.workers.total} ${p.workers.state}` : "-",
    p.error ? c.red("cannot read") : ago(p.last_activity, now),
  ]);
  const lines = table([head.map((h) => c.dim(h)), ...body], {
    align: ["left", "left", "right", "right", "right", "left", "right", "right", "right"],
  }).split("\n");
  const bad = rows.filter((p) => p.health !== "healthy");
  if (bad.length) {
    lines.push("");
    for (const p of bad) lines.push(`${clean(p.name)}: ${clean(p.health_rule)}`);
  }
  return lines;
}

function detailLines(rows: ProjectSnapshot[], c: Colors, now: Date): string[] {
  const out: string[] = [];
  for (const p of rows) {
    if (out.length) out.push("");
    out.push(`${c.bold(clean(p.name))}  ${c.dim(clean(p.path))}`);
    out.push(`  health     ${healthWord(c, p.health)} (${clean(p.health_rule)})`);
    if (p.error) continue;
    const n = p.counts;
    out.push(
      `  features   ${n.total} total, ${n.complete} complete (${p.completion_percentage}%), ${n.in_progress} in progress, ${n.testing} testing, ${n.blocked} blocked`,
    );
    for (const b of p.blocked) {
      out.push(`    blocked  ${clean(b.id)}: ${clean(b.reason ?? "no reason recorded")}`);
    }
    out.push(
      `  gates      ${
        p.gates.length
          ? p.gates.map((g) => `${g.gate} ${g.passed ? "passed" : c.red("failed")}`).join(", ")
          : "none run yet"
      }`,
    );
    out.push(`  secrets    ${p.findings ? `${p.findings.secrets} open` : "not scanned yet"}`);
    out.push(
      `  cost       today ${usd(p.cost_today_usd)}, this week ${
        usd(p.cost_week_usd)
      }, budget ${p.budget.level}`,
    );
    out.push(
      `  parallel   ${
        p.workers.run
          ? `${p.workers.run} ${p.workers.state}, ${p.workers.busy}/${p.workers.total} workers busy`
          : "no run"
      }`,
    );
    out.push(
      `  activity   ${ago(p.last_activity, now)}${p.last_activity ? ` (${p.last_activity})` : ""}`,
    );
  }
  return out.length ? out : overviewLines(rows, c, now);
}

function timelineLines(events: TimelineEntry[]): string[] {
  if (!events.length) return ["No events stored yet."];
  return table(events.map((e) => [e.time, clean(e.project), e.type, clean(e.feature ?? "")]))
    .split("\n");
}

function alertLines(rows: ProjectSnapshot[], c: Colors): string[] {
  const bad = rows.filter((p) => p.health !== "healthy");
  if (!bad.length) return [`No alerts: ${rows.length} project(s), every one healthy.`];
  const order = { critical: 0, warning: 1, healthy: 2 };
  bad.sort((a, b) => order[a.health] - order[b.health] || a.name.localeCompare(b.name));
  return table(bad.map((p) => [healthWord(c, p.health), clean(p.name), clean(p.health_rule)]))
    .split("\n");
}

async function render(
  reader: DashboardReader,
  view: View,
  c: Colors,
): Promise<{ lines: string[]; json: unknown }> {
  const rows = await reader.snapshots();
  const now = new Date();
  if (view === "timeline") {
    const events = await reader.timeline(50);
    return { lines: timelineLines(events), json: { projects: rows, timeline: events } };
  }
  const lines = view === "detail"
    ? detailLines(rows, c, now)
    : view === "alerts"
    ? alertLines(rows, c)
    : overviewLines(rows, c, now);
  return { lines, json: { projects: rows } };
}

function untilSignal(): Promise<void> {
  return new Promise((done) => {
    const stop = () => {
      for (const s of ["SIGINT", "SIGTERM"] as const) {
        try {
          Deno.removeSignalListener(s, stop);
        } catch {
          // not supported here
        }
      }
      done();
    };
    for (const s of ["SIGINT", "SIGTERM"] as const) {
      try {
        Deno.addSignalListener(s, stop);
      } catch {
        // SIGTERM cannot be listened to on Windows
      }
    }
  });
}

/** `br dashboard` */
export async function show(
  this: BrContext,
  flags: Discovery & { view?: View; watch?: boolean; json?: boolean },
): Promise<void> {
  if (flags.watch && flags.json) {
    usage("--watch and --json cannot be combined", "drop --watch to print one JSON document");
  }
  const { roots, depth } = await settings(this, flags);
  const { DashboardReader, pollInterval, watchProjects } = await import("../../dashboard/mod.ts");
  const reader = new DashboardReader({ roots, depth, env: this.env, now: this.clock?.now });
  const view = flags.view ?? "overview";
  const c = await colors(this);
  const first = await render(reader, view, c);
  if (flags.json) return printJson(this, first.json);
  if (!flags.watch) return print(this, first.lines.join("\n"));
  const tty = this.stdoutIsTTY;
  let shown = "";
  const draw = (lines: string[]) => {
    const text = lines.join("\n");
    if (text === shown) return;
    shown = text;
    if (tty) this.process.stdout.write("\x1b[H\x1b[2J" + text + "\n");
    else print(this, `${text}\n`);
  };
  draw(first.lines);
  let busy = false;
  let again = false;
  const redraw = async () => {
    if (busy) return void (again = true);
    busy = true;
    try {
      do {
        again = false;
        draw((await render(reader, view, c)).lines);
      } while (again);
    } finally {
      busy = false;
    }
  };
  // Projects on a PostgreSQL server change with no local file: they are read again
  // every few seconds (only a view that differs is drawn).
  const watcher = watchProjects(reader.projects.map((p) => p.path), () => void redraw(), {
    poll: reader.serverProjects,
    pollMs: pollInterval(this.env),
  });
  try {
    await untilSignal();
  } finally {
    watcher.close();
  }
}

/** `br dashboard serve` */
export async function serve(
  this: BrContext,
  flags: Discovery & { port?: number; host?: string; open?: boolean },
): Promise<void> {
  const { roots, depth } = await settings(this, flags);
  const { isLoopback, serveDashboard } = await import("../../dashboard/mod.ts");
  const host = flags.host ?? "127.0.0.1";
  if (host === "0.0.0.0" || host === "::" || host === "[::]" || host === "") {
    // Requests must name the bound address in their Host header (DNS rebinding), so a
    // wildcard would refuse every request.
    usage(
      `Cannot serve on "${host}": requests must name the bound address`,
      "pass the address clients use, e.g. --host 192.168.1.20",
    );
  }
  if (!isLoopback(host)) {
    warn(
      this,
      `warning: serving on ${host}, not loopback: anyone who can reach this address can read every project's dashboard`,
    );
  }
  let server;
  try {
    server = await serveDashboard({ roots, depth, env: this.env, host, port: flags.port ?? 7878 });
  } catch (err) {
    if (err instanceof Deno.errors.AddrInUse) {
      throw new BrError("conflict", `Cannot listen on ${host}:${flags.port ?? 7878}: in use`, {
        hint: "pass another --port (0 picks a free one)",
      });
    }
    throw new BrError("usage", `Cannot listen on ${host}: ${(err as Error).message}`, {
      hint: "pass an address of this machine with --host",
      cause: err,
    });
  }
  print(this, `Dashboard: ${server.url} (read-only; Ctrl-C stops)`);
  if (flags.open) openBrowser(this, server.url);
  await untilSignal();
  await server.shutdown();
}

function openBrowser(ctx: BrContext, url: string): void {
  const cmd = Deno.build.os === "darwin"
    ? ["open", url]
    : Deno.build.os === "windows"
    ? ["cmd", "/c", "start", "", url]
    : ["xdg-open", url];
  try {
    new Deno.Command(cmd[0], { args: cmd.slice(1), stdout: "null", stderr: "null" }).spawn();
  } catch {
    warn(ctx, `warning: cannot open a browser; open ${url} yourself`);
  }
}
