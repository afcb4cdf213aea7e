import { resolve } from "../core/path.ts";
import { BrError } from "../core/errors.ts";
import { sha256Hex } from "../core/hash.ts";
import type { Project } from "../core/project.ts";
import { loadFeatures } from "../features/mod.ts";
import type { AttributionContext } from "./attribution.ts";
import { Catalog } from "./catalog.ts";
import { headHasher, readBuffer } from "./_lines.ts";
import { ImportThread } from "./_import_parallel.ts";
import { type StepTally, tallyStep } from "./_import_tally.ts";
import { type AddedRows, addedRows, writeImportSteps } from "./_import_write.ts";
import { projectPrices, round } from "./ledger.ts";
import {
  type FilePlan,
  fileRow,
  type KnownFile,
  type ReadContext,
  unchanged,
} from "./_read_file.ts";
import { LogReader } from "./_reader.ts";
import { type ImportSource, isDir, jsonlFiles, rootsFor } from "./_sources.ts";

export type { ImportSource } from "./_sources.ts";

/** Options of {@link importUsage}. */
export interface ImportOptions {
  /** Which agents (default: both). */
  sources?: ImportSource[];
  /**
   * Folders to read instead of the default ones: for Claude Code a `projects/` folder or a
   * config folder holding one; for Codex a `sessions/` folder or a `CODEX_HOME`.
   */
  dirs?: string[];
  /**
   * New bytes of log from which an import into SQLite is written on a writer thread while
   * this one reads (default 16 MiB; `Infinity`: never).
   */
  parallelBytes?: number;
  /**
   * Otherwise (PostgreSQL, or no writer thread), new bytes of log from which files are read
   * on a reader thread while this one writes (default 128 MiB).
   */
  offloadBytes?: number;
}

/** What one source's import did. */
export interface SourceImportReport {
  /** The source. */
  source: ImportSource;
  /** The folders read (those that exist). */
  dirs: string[];
  /** Log files found. */
  files: number;
  /** Files with new bytes since the last import. */
  files_read: number;
  /** Bytes read. */
  bytes_read: number;
  /** Usage records read from the new lines. */
  records: number;
  /** Ledger rows added. */
  added: number;
  /** Lines that are not JSON, or not UTF-8 (skipped). */
  malformed_lines: number;
}

/** What {@link importUsage} did. */
export interface ImportReport {
  /** One report per source, sorted by source. */
  sources: SourceImportReport[];
  /** Ledger rows added in all. */
  added: number;
  /**
   * Session totals an orchestrator had recorded (key `agent-session:<session>`) that the
   * imported logs of the same session replaced.
   */
  superseded: number;
  /** USD of the rows added. */
  cost_usd: number;
  /** Models read that have no price (priced at 0), sorted. */
  unpriced_models: string[];
}

/**
 * New bytes of log from which an import into SQLite is read and written on two threads
 * (below that, starting the second thread costs more than it saves).
 */
const PARALLEL_BYTES = 16 << 20;

/**
 * Imports the usage logs of Claude Code and Codex into the ledger. Incremental: each file's
 * read offset and a hash of its head are remembered, so a re-run reads only new lines (a
 * file whose head changed is read again from the start; the dedup keys keep that from
 * counting anything twice). Streaming: the logs are never held in memory (a 500 MB import
 * peaks at about 180 MB). Into SQLite, 16 MiB or more are written on a writer thread while
 * this one reads. Malformed lines are skipped and counted. Emits one `cost.recorded` per
 * source and model with the tokens and USD added, then checks the budgets.
 *
 * @throws {BrError} `storage` when the ledger cannot be written.
 */
export async function importUsage(
  project: Project,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const sources = [...new Set<ImportSource>(options.sources ?? ["claude-code", "codex"])].sort();
  // A folder given that is not there is a mistake, not "no logs yet".
  const missing = options.dirs?.find((d) => !isDir(resolve(project.root, d)));
  if (missing !== undefined) {
    throw new BrError("not_found", `Cannot find the folder "${missing}"`, {
      hint: "pass an existing folder to --dir (for Claude Code ~/.claude, for Codex ~/.codex)",
    });
  }
  const store = await project.store();
  const prices = await projectPrices(project);
  const attribution = await attributionContext(project);
  const unpriced = new Set<string>();
  // Rows added by this run are those above the highest id before it.
  const since = Number(
    (await store.get<{ id: number | null }>("SELECT max(id) AS id FROM cost_ledger"))?.id ?? 0,
  );
  const now = project.clock.now().toISOString();
  // Rows this run inserts carry its id, so that concurrent imports each report their own.
  const run = crypto.randomUUID();
  const reports = sources.map((source): SourceImportReport => ({
    source,
    dirs: rootsFor(project, source, options.dirs, sources.length === 1),
    files: 0,
    files_read: 0,
    bytes_read: 0,
    records: 0,
    added: 0,
    malformed_lines: 0,
  }));
  async function* plans(): AsyncGenerator<FilePlan> {
    // What the last imports stored about the files, read once (by path, whichever source
    // read a file before).
    const knownOf = new Map(
      (await store.all<KnownFile & { path: string }>(
        'SELECT path, size, mtime, "offset", head_hash, state FROM cost_import_files',
      )).map(({ path, ...known }) => [path, known]),
    );
    // A file below two of the folders given is read once.
    const seen = new Set<string>();
    let planned = 0;
    for (const report of reports) {
      for (const root of report.dirs) {
        for (const path of jsonlFiles(root)) {
          if (seen.has(path)) continue;
          seen.add(path);
          report.files++;
          let stat: Deno.FileInfo;
          try {
            stat = Deno.statSync(path);
          } catch {
            continue;
          }
          const known = knownOf.get(path);
          const plan: FilePlan = {
            path,
            source: report.source,
            root,
            size: stat.size,
            mtime: stat.mtime?.toISOString() ?? null,
            known: known ?? null,
          };
          if (unchanged(plan)) continue;
          // Files to read: their heads are hashed (nothing is loaded for a run without any).
          if (++planned === 1) ctx.headHash = await headHasher();
          yield plan;
        }
      }
    }
  }
  // Rows are written as each 64 KiB of log is parsed, in transactions of about 5,000 rows
  // that also hold the files' new offsets. Into SQLite, many megabytes are written on a writer
  // thread while this one reads; otherwise a very large import is parsed on a reader thread
  // while this one writes.
  const ctx: ReadContext = {
    catalog: new Catalog(prices),
    attribution,
    buf: readBuffer(),
    headHash: sha256Hex, // until the first file to read (see `plans`)
  };
  const roots = reports.flatMap((r) => r.dirs);
  const tally: StepTally = {};
  // The files are looked at first: how much is new decides how they are read.
  const found = plans();
  const looked: FilePlan[] = [];
  const all = async function* (): AsyncGenerator<FilePlan> {
    yield* looked.splice(0);
    yield* found;
  };
  let thread: ImportThread | null = null;
  const parallelBytes = options.parallelBytes ?? PARALLEL_BYTES;
  if (store.backend === "sqlite" && parallelBytes !== Infinity) {
    let bytes = 0;
    for (let next = await found.next(); !next.done; next = await found.next()) {
      looked.push(next.value);
      bytes += next.value.size - (next.value.known?.offset ?? 0);
      if (bytes >= parallelBytes) break;
    }
    if (looked.length && bytes >= parallelBytes) {
      thread = ImportThread.start({ db: store.location, run, now });
    }
  }
  if (thread) {
    // The write-ahead log is copied into the database here, as far as it is committed, while
    // the thread writes the last rows; then the thread copies the rest while this one sums
    // what the run added.
    await thread.run(all(), ctx, tally, () => store.run("PRAGMA wal_checkpoint(PASSIVE)"));
  } else {
    const reader = new LogReader(ctx, {
      prices,
      roots,
      now,
      run,
      offloadBytes: options.offloadBytes,
    });
    try {
      const work = reader.steps(all());
      await writeImportSteps(store, run, async () => {
        const next = await work.next();
        if (next.done) return null;
        const { plan, step, rows } = next.value;
        tallyStep(tally, plan.source, step);
        return { file: fileRow(plan, step, now), rows };
      });
    } finally {
      reader.close();
    }
  }
  for (const report of reports) {
    const t = tally[report.source];
    if (!t) continue;
    report.files_read = t.files_read;
    report.bytes_read = t.bytes_read;
    report.records = t.records;
    report.malformed_lines = t.malformed_lines;
    for (const model of t.unpriced) unpriced.add(model);
  }
  // An agent's own log is exact: it replaces the session total an orchestrator recorded for
  // the same agent session (`recordUsage` with key "agent-session:<session>").
  let added: AddedRows[];
  let superseded: { changes: number };
  try {
    const anyTotals = await store.get(
      "SELECT 1 AS x FROM cost_ledger WHERE key >= 'agent-session:' AND key < 'agent-session;' LIMIT 1",
    );
    superseded = !anyTotals ? { changes: 0 } : await store.run(
      `DELETE FROM cost_ledger WHERE key >= 'agent-session:' AND key < 'agent-session;'
         AND id <= $since AND session IN (
           SELECT DISTINCT session FROM cost_ledger WHERE id > $since AND session IS NOT NULL)`,
      { $since: since },
    );
    added = await addedRows(store, since, run);
    for (const a of added) {
      const report = reports.find((r) => r.source === a.source);
      if (report) report.added += Number(a.n);
      project.bus.emit("cost.recorded", {
        model: a.model,
        tokens: {
          input: Number(a.input),
          output: Number(a.output),
          cache_creation: Number(a.cache_creation),
          cache_read: Number(a.cache_read),
        },
        usd: round(Number(a.usd)),
        source: a.source,
      });
    }
    const { checkBudgets } = await import("./budgets.ts");
    await checkBudgets(project);
  } finally {
    await thread?.finished();
  }
  return {
    sources: reports,
    added: reports.reduce((s, r) => s + r.added, 0),
    superseded: superseded.changes,
    cost_usd: round(added.reduce((s, a) => s + Number(a.usd), 0)),
    unpriced_models: [...unpriced].sort(),
  };
}

/** Feature attribution context of the project (its root and feature ids). */
export async function attributionContext(project: Project): Promise<AttributionContext> {
  let ids: string[] = [];
  try {
    ids = (await loadFeatures(project)).features.map((f) => f.id);
  } catch (err) {
    if (!(err instanceof BrError)) throw err;
  }
  return { root: project.root, features: new Set(ids) };
}
