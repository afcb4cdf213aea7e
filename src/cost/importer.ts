import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import type { SqlValue, StoreTx } from "../core/store.ts";
import { loadFeatures } from "../features/mod.ts";
import type { AttributionContext } from "./attribution.ts";
import type { Catalog } from "./catalog.ts";
import { CLAUDE_CODE, claudeFileContext, parseClaudeLine } from "./claude_code.ts";
import { codexInitialState, type CodexState, parseCodexLine } from "./codex.ts";
import { headHash, readLineBatches } from "./_lines.ts";
import { type ImportSource, jsonlFiles, rootsFor } from "./_sources.ts";
import { type PricedEntry, priceEntry, projectCatalog, round, writeEntries } from "./ledger.ts";
import type { UsageEntry } from "./types.ts";

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
  /** Lines that are not JSON (skipped). */
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

interface FileState {
  size: number;
  mtime: string | null;
  offset: number;
  head_hash: string;
  state: string | null;
}

interface ParserFor {
  initial(file: string): unknown;
  line(line: string, state: unknown): UsageEntry | null;
}

/**
 * Imports the usage logs of Claude Code and Codex into the ledger. Incremental: each file's
 * read offset and a hash of its head are remembered, so a re-run reads only new lines (a
 * file whose head changed is read again from the start; the dedup keys keep that from
 * counting anything twice). Streaming: memory does not grow with the size of the logs.
 * Malformed lines are skipped and counted. Emits one `cost.recorded` per source and model
 * with the tokens and USD added, then checks the budgets.
 *
 * @throws {BrError} `storage` when the ledger cannot be written.
 */
export async function importUsage(
  project: Project,
  options: ImportOptions = {},
): Promise<ImportReport> {
  const sources = [...new Set<ImportSource>(options.sources ?? ["claude-code", "codex"])].sort();
  const store = await project.store();
  const catalog = await projectCatalog(project);
  const attribution = await attributionContext(project);
  const unpriced = new Set<string>();
  const reports: SourceImportReport[] = [];
  // Rows added by this run are those above the highest id before it.
  const since = Number(
    (await store.get<{ id: number | null }>("SELECT max(id) AS id FROM cost_ledger"))?.id ?? 0,
  );
  const now = project.clock.now().toISOString();
  // Rows this run inserts carry its id, so that concurrent imports each report their own.
  const run = crypto.randomUUID();
  const ref: { t: StoreTx | null } = { t: null };
  async function* steps(): AsyncGenerator<Step> {
    for (const source of sources) {
      const roots = rootsFor(project, source, options.dirs, sources.length === 1);
      const report: SourceImportReport = {
        source,
        dirs: roots,
        files: 0,
        files_read: 0,
        bytes_read: 0,
        records: 0,
        added: 0,
        malformed_lines: 0,
      };
      reports.push(report);
      for (const root of roots) {
        for await (const file of jsonlFiles(root)) {
          report.files++;
          const parser: ParserFor = source === CLAUDE_CODE
            ? claudeParser(root, file, attribution)
            : codexParser(attribution);
          yield* fileSteps(ref, catalog, source, file, parser, report);
        }
      }
    }
  }
  // Rows are written as each 64 KiB of log is parsed (so no row lives long in memory), in
  // transactions of about BATCH_ROWS rows that also hold the files' new offsets.
  const work = steps();
  let done = false;
  while (!done) {
    await store.tx(async (t) => {
      ref.t = t;
      let rows = 0;
      let steps = 0;
      // A file's offset is written when the next file starts and before each commit.
      let file: Step["file"] | null = null;
      // Bounded by rows and by bytes read (about 64 KiB a step), so that the write lock is
      // never held for long.
      while (rows < BATCH_ROWS && steps++ < 512) {
        const step = await work.next();
        if (step.done) {
          done = true;
          break;
        }
        const { entries } = step.value;
        if (file && file.$path !== step.value.file.$path) {
          await t.run(SAVE_FILE, { ...(await file.state()), $path: file.$path, $now: now });
        }
        file = step.value.file;
        if (entries.length) {
          await writeEntries(t, entries, now, run);
          rows += entries.length;
          for (const e of entries) if (!e.priced) unpriced.add(e.model);
        }
      }
      if (file) await t.run(SAVE_FILE, { ...(await file.state()), $path: file.$path, $now: now });
    });
    ref.t = null;
  }
  // An agent's own log is exact: it replaces the session total an orchestrator recorded for
  // the same agent session (`recordUsage` with key "agent-session:<session>").
  const anyTotals = await store.get(
    "SELECT 1 AS x FROM cost_ledger WHERE key >= 'agent-session:' AND key < 'agent-session;' LIMIT 1",
  );
  const superseded = !anyTotals ? { changes: 0 } : await store.run(
    `DELETE FROM cost_ledger WHERE key >= 'agent-session:' AND key < 'agent-session;'
       AND id <= ?1 AND session IN (
         SELECT DISTINCT session FROM cost_ledger WHERE id > ?1 AND session IS NOT NULL)`,
    [since],
  );
  const added = await store.all<{
    source: string;
    model: string;
    n: number;
    input: number;
    output: number;
    cache_creation: number;
    cache_read: number;
    usd: number;
  }>(
    `SELECT source, model, count(*) AS n, sum(input_tokens) AS input, sum(output_tokens) AS output,
       sum(cache_creation_tokens) AS cache_creation, sum(cache_read_tokens) AS cache_read,
       sum(cost_usd) AS usd
     FROM cost_ledger WHERE id > ? AND import_run = ? GROUP BY source, model
     ORDER BY source, model`,
    [since, run],
  );
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

function claudeParser(root: string, file: string, attribution: AttributionContext): ParserFor {
  const { session, project } = claudeFileContext(root, file);
  const ctx = { session, project, attribution };
  return { initial: () => null, line: (line) => parseClaudeLine(line, ctx) };
}

function codexParser(attribution: AttributionContext): ParserFor {
  return {
    initial: (file) => codexInitialState(file),
    line: (line, state) => parseCodexLine(line, state as CodexState, attribution),
  };
}

/** What one 64 KiB of a log gives: priced records and the file's new offset. */
interface Step {
  entries: PricedEntry[];
  file: { $path: string; state(): Promise<Record<string, SqlValue>> };
}

const SAVE_FILE =
  `INSERT INTO cost_import_files (path, source, size, mtime, offset, head_hash, state, updated_at)
  VALUES ($path, $source, $size, $mtime, $offset, $hash, $state, $now)
  ON CONFLICT(path) DO UPDATE SET source = excluded.source, size = excluded.size,
    mtime = excluded.mtime, offset = excluded.offset, head_hash = excluded.head_hash,
    state = excluded.state, updated_at = excluded.updated_at`;

/** Rows written per transaction. */
const BATCH_ROWS = 5000;

async function* fileSteps(
  ref: { t: StoreTx | null },
  catalog: Catalog,
  source: string,
  file: string,
  parser: ParserFor,
  report: SourceImportReport,
): AsyncGenerator<Step> {
  let stat: Deno.FileInfo;
  try {
    stat = await Deno.stat(file);
  } catch {
    return;
  }
  const mtime = stat.mtime?.toISOString() ?? null;
  const known = await ref.t!.get<FileState>(
    "SELECT size, mtime, offset, head_hash, state FROM cost_import_files WHERE path = ?",
    [file],
  );
  if (known && known.size === stat.size && known.mtime === mtime && known.offset === stat.size) {
    return;
  }
  let offset = 0;
  let state: unknown = parser.initial(file);
  if (known && stat.size >= known.offset && known.offset > 0) {
    const hash = await headHash(file, known.offset);
    if (hash === known.head_hash) {
      offset = known.offset;
      if (known.state) state = JSON.parse(known.state);
    }
  }
  let end = offset;
  let fullHash: string | null = null;
  // The offset and parser state after the last step, computed only when written.
  let savedEnd = end;
  let savedState = JSON.stringify(state);
  const fileRef = {
    $path: file,
    state: async (): Promise<Record<string, SqlValue>> => ({
      $source: source,
      $size: stat.size,
      $mtime: mtime,
      $offset: savedEnd,
      // The hash covers the first 4 KiB at most, so it is computed once per file past that.
      $hash: savedEnd >= 4096
        ? (fullHash ??= await headHash(file, savedEnd))
        : await headHash(file, savedEnd),
      $state: state === null ? null : savedState,
    }),
  };
  const snapshot = () => {
    savedEnd = end;
    savedState = JSON.stringify(state);
    return fileRef;
  };
  if (offset === stat.size && known) {
    yield { entries: [], file: snapshot() };
    return;
  }
  report.files_read++;
  for await (const batch of readLineBatches(file, offset)) {
    if (batch.partial) {
      // A last line without a newline that is not whole JSON is probably still being
      // written: leave the offset before it so that the next import reads it again.
      try {
        JSON.parse(batch.lines[0]);
      } catch {
        break;
      }
    }
    const entries: PricedEntry[] = [];
    // Lines of one API response sit next to each other: merge them before the write.
    let last: PricedEntry | null = null;
    for (const line of batch.lines) {
      if (line.length === 0) continue;
      let entry: UsageEntry | null;
      try {
        entry = parser.line(line, state);
      } catch {
        report.malformed_lines++;
        continue;
      }
      if (!entry) continue;
      report.records++;
      const priced = priceEntry(catalog, entry);
      if (last && priced.key && !priced.sidechain && priced.key === last.key) {
        mergeInto(last, priced);
      } else {
        entries.push(priced);
        last = priced.sidechain ? null : priced;
      }
    }
    report.bytes_read += batch.end - end;
    end = batch.end;
    yield { entries, file: snapshot() };
  }
  if (end === offset) yield { entries: [], file: snapshot() };
}

/** Keeps the larger counts of two records of one response (as the ledger upsert does). */
function mergeInto(a: PricedEntry, b: PricedEntry): void {
  a.input_tokens = Math.max(a.input_tokens, b.input_tokens);
  a.output_tokens = Math.max(a.output_tokens, b.output_tokens);
  a.cache_creation_tokens = Math.max(a.cache_creation_tokens, b.cache_creation_tokens);
  a.cache_creation_1h_tokens = Math.max(
    a.cache_creation_1h_tokens ?? 0,
    b.cache_creation_1h_tokens ?? 0,
  );
  a.cache_read_tokens = Math.max(a.cache_read_tokens, b.cache_read_tokens);
  a.cost_usd = Math.max(a.cost_usd, b.cost_usd);
  if (b.logged_cost_usd != null && b.logged_cost_usd > (a.logged_cost_usd ?? -1)) {
    a.logged_cost_usd = b.logged_cost_usd;
  }
}
