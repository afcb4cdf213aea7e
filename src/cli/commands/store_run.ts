import type { CopyProgress, ProjectCopyReport } from "../../core/store_copy.ts";
import type { StoreStatus } from "../../core/store_status.ts";
import type { BrContext } from "../context.ts";
import {
  colors,
  formatCount,
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  withProject,
} from "../output.ts";

/** Progress on a terminal (stderr, one line redrawn at most ten times a second). */
function progress(ctx: BrContext): { update: CopyProgress; end(): void } {
  let last = 0;
  let shown = false;
  return {
    update(table, done, total) {
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      shown = true;
      ctx.process.stderr.write(
        `\r\x1b[2Kcopying ${table}: ${formatCount(done)} of ${formatCount(total)} rows`,
      );
    },
    end() {
      if (shown) ctx.process.stderr.write("\r\x1b[2K");
    },
  };
}

/** `br store migrate-to <url>` */
export async function migrateTo(
  this: BrContext,
  flags: ProjectFlags & JsonFlags,
  url: string,
): Promise<void> {
  const { copyProjectStore } = await import("../../core/store_copy.ts");
  const bar = !flags.json && this.stdoutIsTTY ? progress(this) : null;
  let report: ProjectCopyReport;
  try {
    report = await withProject(
      this,
      flags,
      (project) => copyProjectStore(project, url, { onProgress: bar?.update }),
    );
  } finally {
    bar?.end();
  }
  if (flags.json) {
    const tables: Record<string, { read: number; copied: number; skipped: number }> = {};
    for (const { table, ...counts } of report.tables) tables[table] = counts;
    return printJson(this, { ...report, copied_at: report.copied_at || null, tables });
  }
  const c = await colors(this);
  if (report.status === "nothing_to_copy") {
    return print(this, `Nothing to copy: ${report.source} does not exist.`);
  }
  if (report.status === "already_copied") {
    return print(
      this,
      `Already copied: ${report.source} went into ${report.target} (project key ` +
        `"${report.project_key}") on ${report.copied_at}; nothing was copied again.`,
    );
  }
  const total = report.tables.reduce((n, t) => n + t.copied, 0);
  print(
    this,
    c.bold(`Copied ${formatCount(total)} rows`) +
      ` of ${report.source} into ${report.target} (project key "${report.project_key}"):`,
  );
  // Tables the source has no rows of are left out (`--json` lists every table).
  const read = report.tables.filter((t) => t.read > 0);
  const width = Math.max(0, ...read.map((t) => t.table.length));
  for (const t of read) {
    const there = t.skipped ? c.dim(`, ${formatCount(t.skipped)} already there`) : "";
    print(this, `  ${t.table.padEnd(width)}  ${formatCount(t.copied)}${there}`);
  }
  print(this, c.dim(`Rollups (${report.derived.join(", ")}) follow the copied rows.`));
}

/** `br store status` */
export async function status(this: BrContext, flags: ProjectFlags & JsonFlags): Promise<void> {
  const { storeStatus } = await import("../../core/store_status.ts");
  const { status: s, failure } = await withProject(this, flags, (project) => storeStatus(project));
  if (flags.json) printJson(this, s);
  else print(this, statusLines(s).join("\n"));
  // The report is printed; the failure then ends the command as any storage error does.
  if (failure) throw failure;
}

function statusLines(s: StoreStatus): string[] {
  const rows: [string, string][] = [
    ["backend", s.source ? `${s.backend} (${s.source})` : s.backend],
    ["location", s.location],
  ];
  if (s.project_key !== null) {
    rows.push(["project key", `${s.project_key} (${s.project_key_source})`]);
    rows.push(["schema", s.schema ?? ""]);
  }
  const answer = s.reachable === null ? "not created yet" : s.reachable
    ? [
      s.backend === "postgres" ? `reachable, PostgreSQL ${s.server_version}` : "readable",
      `schema version ${s.schema_version}`,
    ].join(", ")
    : "not reachable (the error follows)";
  rows.push(["store", answer]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`);
  if (s.project_key_source === "path") {
    // No git origin: another machine's clone would get a schema of its own.
    lines.push(
      'note: the key is this machine\'s path (no git origin): clones elsewhere get their own data; pin one with "br config set store.project <name>"',
    );
  }
  return lines;
}
