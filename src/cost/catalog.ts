import data from "./catalog_data.json" with { type: "json" };
import fixes from "./catalog_corrections.json" with { type: "json" };

/** A price per million tokens, either flat or with long-context tiers. */
export type TokenPrice = number | TieredPrice;

/** A price that changes once the request's input passes a threshold. */
export interface TieredPrice {
  /** USD per million tokens below the first tier. */
  base: number;
  /** Tiers, each applying when the request's input tokens exceed `start`. */
  tiers: { start: number; price: number }[];
}

/** Prices of one model in USD per million tokens. */
export interface ModelPrices {
  /** Uncached input. */
  input?: TokenPrice;
  /** Output (reasoning included). */
  output?: TokenPrice;
  /** Cache write with the 5-minute lifetime (the default cache write). */
  cache_write_5m?: TokenPrice;
  /** Cache write with the 1-hour lifetime. */
  cache_write_1h?: TokenPrice;
  /** Cache read. */
  cache_read?: TokenPrice;
}

/** One model of the catalog. */
export interface CatalogModel {
  /** Canonical id. */
  id: string;
  /** `anthropic`, `openai`, `google`, or `config` for user overrides. */
  provider: string;
  /** Prices in force from a date on (`from: null` = since always), oldest first. */
  periods: { from: string | null; prices: ModelPrices }[];
  /** Context window in tokens, when known. */
  context_window?: number;
  /** True for models the provider retired. */
  deprecated?: boolean;
  /** Where the prices come from (package@version and page, or `config`). */
  source: string;
}

type Match =
  | { or: Match[] }
  | { and: Match[] }
  | { equals: string }
  | { starts_with: string }
  | { ends_with: string }
  | { contains: string }
  | { regex: string };

interface RawModel extends CatalogModel {
  match: Match;
}

/** Token counts of one call, the way the ledger keeps them. */
export interface TokenCounts {
  /** Uncached input (cache reads and writes excluded). */
  input_tokens: number;
  /** Output, reasoning included. */
  output_tokens: number;
  /** Cache writes (5m + 1h). */
  cache_creation_tokens: number;
  /** The part of the cache writes with the 1-hour lifetime (the rest is 5m). */
  cache_creation_1h_tokens?: number;
  /** Cache reads. */
  cache_read_tokens: number;
}

/** The name of the bundled dataset (`package@version`). */
export const CATALOG_SOURCE: string = data.source;

/** A reviewed correction over the generated dataset (see `catalog_corrections.json`). */
export interface CatalogCorrection {
  /** Provider of the corrected row. */
  provider: string;
  /** Id of the corrected row. */
  id: string;
  /** Why the dataset is wrong. */
  note: string;
  /** Where the corrected prices are published. */
  source: string;
  /** Day the source was last read (YYYY-MM-DD). */
  checked: string;
  /** The prices that replace the dataset's periods. */
  periods: { from: string | null; prices: ModelPrices }[];
}

/** The reviewed corrections applied over the bundled dataset. */
export const CATALOG_CORRECTIONS: readonly CatalogCorrection[] = fixes
  .corrections as CatalogCorrection[];

const RAW: RawModel[] = (data.models as unknown as RawModel[]).map((m) => {
  const fix = CATALOG_CORRECTIONS.find((c) => c.provider === m.provider && c.id === m.id);
  if (!fix) return m;
  return {
    ...m,
    periods: fix.periods,
    source: `${fix.source}, checked ${fix.checked} (correction over ${data.source})`,
  };
});

function matches(m: Match, name: string): boolean {
  if ("or" in m) return m.or.some((x) => matches(x, name));
  if ("and" in m) return m.and.every((x) => matches(x, name));
  if ("equals" in m) return name === m.equals.toLowerCase();
  if ("starts_with" in m) return name.startsWith(m.starts_with.toLowerCase());
  if ("ends_with" in m) return name.endsWith(m.ends_with.toLowerCase());
  if ("contains" in m) return name.includes(m.contains.toLowerCase());
  if ("regex" in m) return new RegExp(m.regex).test(name);
  return false;
}

const PREFIX = new RegExp(
  "^(?:(?:[a-z]{2}|global|apac)\\.)?(?:anthropic|openai|google|gemini|vertex_ai|vertex|bedrock|" +
    "azure|models|openrouter)[./:]",
);
const DATE_SUFFIX = /(?:[-@](?:20\d{2}-?[01]\d-?[0-3]\d)|-latest|-v\d+(?::\d+)?|:\d+)+$/;

/** The spellings of `name` to try, most specific first. */
export function nameCandidates(name: string): string[] {
  let n = name.trim().toLowerCase();
  const out = [n];
  for (let i = 0; i < 3 && PREFIX.test(n); i++) {
    n = n.replace(PREFIX, "");
    out.push(n);
  }
  const undated = n.replace(DATE_SUFFIX, "");
  if (undated && undated !== n) out.push(undated);
  return [...new Set(out)];
}

function providerOrder(name: string): string[] {
  if (name.includes("claude")) return ["anthropic", "openai", "google"];
  if (name.includes("gemini") || name.includes("gemma")) return ["google", "anthropic", "openai"];
  return ["openai", "anthropic", "google"];
}

/**
 * The model catalog: the bundled dataset plus user overrides, with tolerant name
 * resolution (provider prefixes, dated suffixes and `-latest` are ignored).
 */
export class Catalog {
  readonly #overrides: Map<string, ModelPrices>;
  readonly #cache = new Map<string, CatalogModel | null>();

  /** Builds a catalog; `overrides` maps model names to prices that win over the dataset. */
  constructor(overrides: Record<string, ModelPrices> = {}) {
    this.#overrides = new Map(
      Object.entries(overrides).map(([k, v]) => [k.trim().toLowerCase(), v]),
    );
  }

  /** Every model of the bundled dataset and the overrides. */
  models(): CatalogModel[] {
    const own = [...this.#overrides].map(([id, prices]) => overrideModel(id, prices));
    return [...own, ...RAW.map(strip)];
  }

  /** Resolves a model name as logs write it; `null` when the catalog has no price. */
  resolve(name: string): CatalogModel | null {
    const key = name.trim().toLowerCase();
    if (this.#cache.has(key)) return this.#cache.get(key)!;
    const found = this.#resolve(key);
    this.#cache.set(key, found);
    return found;
  }

  #resolve(name: string): CatalogModel | null {
    const candidates = nameCandidates(name);
    for (const c of candidates) {
      const o = this.#overrides.get(c);
      if (o) return overrideModel(c, o);
    }
    const order = providerOrder(name);
    for (const provider of order) {
      for (const c of candidates) {
        const hit = RAW.find((m) => m.provider === provider && matches(m.match, c));
        if (hit) return strip(hit);
      }
    }
    return null;
  }

  /**
   * USD of one call of `model` at `time`, or `null` when the model has no price.
   * Long-context tiers apply to the whole request when its input (uncached + cache reads +
   * cache writes) exceeds the tier start, the way the providers bill it.
   */
  price(model: string, tokens: TokenCounts, time: Date | string): number | null {
    const entry = this.resolve(model);
    if (!entry) return null;
    return priceWith(pricesAt(entry, time), tokens);
  }
}

function strip(m: RawModel): CatalogModel {
  const { match: _match, ...rest } = m;
  return rest;
}

function overrideModel(id: string, prices: ModelPrices): CatalogModel {
  return {
    id,
    provider: "config",
    periods: [{ from: null, prices }],
    source: "config (cost.prices)",
  };
}

/** The prices of `model` in force at `time`. */
export function pricesAt(model: CatalogModel, time: Date | string): ModelPrices {
  const iso = typeof time === "string" ? time : time.toISOString();
  let chosen = model.periods[0].prices;
  for (const p of model.periods) {
    if (p.from === null || iso >= p.from) chosen = p.prices;
  }
  return chosen;
}

function rate(price: TokenPrice | undefined, promptTokens: number): number | undefined {
  if (price === undefined) return undefined;
  if (typeof price === "number") return price;
  let r = price.base;
  for (const t of price.tiers) if (promptTokens > t.start) r = t.price;
  return r;
}

/** USD of `tokens` at `prices` (per million tokens). */
export function priceWith(prices: ModelPrices, tokens: TokenCounts): number {
  const prompt = tokens.input_tokens + tokens.cache_read_tokens + tokens.cache_creation_tokens;
  const input = rate(prices.input, prompt) ?? 0;
  const output = rate(prices.output, prompt) ?? 0;
  const write5m = rate(prices.cache_write_5m, prompt) ?? input;
  const write1h = rate(prices.cache_write_1h, prompt) ??
    (prices.cache_write_5m ? input * 2 : input);
  const read = rate(prices.cache_read, prompt) ?? input;
  const oneHour = Math.min(tokens.cache_creation_1h_tokens ?? 0, tokens.cache_creation_tokens);
  const fiveMin = tokens.cache_creation_tokens - oneHour;
  return (tokens.input_tokens * input + tokens.output_tokens * output + fiveMin * write5m +
    oneHour * write1h + tokens.cache_read_tokens * read) / 1_000_000;
}
