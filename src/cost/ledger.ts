import type { Project } from "../core/project.ts";
import type { SqlValue, StoreTx } from "../core/store.ts";
import { Catalog, type ModelPrices } from "./catalog.ts";
import type { UsageEntry } from "./types.ts";

/** The catalog with the project's price overrides (`cost.prices`). */
export async function projectCatalog(project: Project): Promise<Catalog> {
  await import("./config.ts");
  const config = await project.config();
  const overrides = config.get<Record<string, ModelPrices>>("cost.prices") ?? {};
  return new Catalog(overrides);
}

/** A ledger row ready to be written: the entry with its price. */
export interface PricedEntry extends UsageEntry {
  /** USD. */
  cost_usd: number;
  /** False when the model has no price in the catalog (cost 0). */
  priced: boolean;
}

/** Prices an entry (in place) from the catalog unless it carries its own USD. */
export function priceEntry(catalog: Catalog, entry: UsageEntry): PricedEntry {
  const e = entry as PricedEntry;
  if (typeof entry.cost_usd === "number" && Number.isFinite(entry.cost_usd)) {
    e.priced = true;
    return e;
  }
  const usd = catalog.price(entry.model, entry, entry.time);
  e.cost_usd = usd ?? 0;
  e.priced = usd !== null;
  return e;
}

const COLUMNS = [
  "key",
  "time",
  "source",
  "model",
  "input_tokens",
  "output_tokens",
  "cache_creation_tokens",
  "cache_creation_1h_tokens",
  "cache_read_tokens",
  "cost_usd",
  "priced",
  "logged_cost_usd",
  "session",
  "project",
  "feature",
  "task",
  "recorded_at",
  "import_run",
];

// Numbered positional parameters (`?1` = key, ...): binding an array is faster than an object.
const VALUES = COLUMNS.map((_, i) => `?${i + 1}`).join(", ");
const KEY = `?${COLUMNS.indexOf("key") + 1}`;
// The range of keys of one message id (`cc:<id>:<requestId>`), bound after the columns.
const LOW = `?${COLUMNS.length + 1}`;
const HIGH = `?${COLUMNS.length + 2}`;

/**
 * The upsert: a second line of the same API response (same key) keeps the larger counts
 * (Claude Code writes partial output counts on the first lines of a streamed response).
 */
const UPSERT = `INSERT INTO cost_ledger (${COLUMNS.join(", ")}) VALUES (${VALUES})
ON CONFLICT(key) DO UPDATE SET
  input_tokens = max(input_tokens, excluded.input_tokens),
  output_tokens = max(output_tokens, excluded.output_tokens),
  cache_creation_tokens = max(cache_creation_tokens, excluded.cache_creation_tokens),
  cache_creation_1h_tokens = max(cache_creation_1h_tokens, excluded.cache_creation_1h_tokens),
  cache_read_tokens = max(cache_read_tokens, excluded.cache_read_tokens),
  cost_usd = max(cost_usd, excluded.cost_usd),
  logged_cost_usd = CASE WHEN excluded.logged_cost_usd > coalesce(logged_cost_usd, -1)
    THEN excluded.logged_cost_usd ELSE logged_cost_usd END`;

/**
 * A sidechain line that replays a message id already counted under another key is dropped
 * (the keys of one message id share the prefix `cc:<id>:`, a range of the key index).
 */
const UPSERT_SIDECHAIN = `INSERT INTO cost_ledger (${COLUMNS.join(", ")})
SELECT ${VALUES} WHERE NOT EXISTS (
  SELECT 1 FROM cost_ledger WHERE key >= ${LOW} AND key < ${HIGH} AND key IS NOT ${KEY})
ON CONFLICT(key) DO NOTHING`;

function params(e: PricedEntry, now: string, run: string | null): SqlValue[] {
  return [
    e.key ?? null,
    e.time,
    e.source,
    e.model,
    e.input_tokens,
    e.output_tokens,
    e.cache_creation_tokens,
    e.cache_creation_1h_tokens ?? 0,
    e.cache_read_tokens,
    e.cost_usd,
    e.priced ? 1 : 0,
    e.logged_cost_usd ?? null,
    e.session ?? null,
    e.project ?? null,
    e.feature ?? null,
    e.task ?? null,
    now,
    run,
  ];
}

/** Writes priced entries inside a transaction, in order. */
export async function writeEntries(
  t: StoreTx,
  entries: readonly PricedEntry[],
  now: string,
  importRun: string | null = null,
): Promise<void> {
  let run: SqlValue[][] = [];
  for (const e of entries) {
    if (e.sidechain && e.message_id) {
      if (run.length) await t.many(UPSERT, run);
      run = [];
      await t.run(UPSERT_SIDECHAIN, [
        ...params(e, now, importRun),
        `cc:${e.message_id}:`,
        `cc:${e.message_id};`,
      ]);
    } else {
      run.push(params(e, now, importRun));
    }
  }
  if (run.length) await t.many(UPSERT, run);
}

/** Rounds USD to micro-dollars. */
export function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
