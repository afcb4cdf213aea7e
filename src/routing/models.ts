/**
 * The models routing chooses from. Prices, providers and context windows come from the cost
 * catalog (`src/cost/`, with the project's `cost.prices` overrides), the same prices the cost
 * ledger charges. The catalog carries no capability tier (and not every context window), so
 * routing keeps a small table keyed by model id: the tier (the highest complexity level the
 * model is trusted with before any outcome is recorded, 1 simple ... 4 critical) and a context
 * window where the catalog has none. Config `routing.models` adds models or overrides table
 * entries by id.
 */
import { BrError } from "../core/errors.ts";
import type { Project } from "../core/project.ts";
import type { ModelPrices, TokenPrice } from "../cost/mod.ts";

/** What routing knows of a model beyond the catalog. */
export interface RoutingProfile {
  /** Highest level it is trusted with by default: 1 simple, 2 moderate, 3 complex, 4 critical. */
  tier: number;
  /** Context window in tokens, for a model whose catalog entry has none. */
  context_window?: number;
}

/**
 * The models routing chooses from by default, keyed by catalog model id: their tier, and a
 * context window only where the catalog lacks one.
 */
export const ROUTING_PROFILES: Readonly<Record<string, RoutingProfile>> = {
  "claude-haiku-4-5": { tier: 2 },
  "claude-sonnet-4-5": { tier: 3 },
  "claude-opus-4-5": { tier: 4 },
  "gpt-5-mini": { tier: 2 },
  "gpt-5": { tier: 3 },
  "gemini-2.5-flash": { tier: 1 },
  // The catalog has no context window for gemini-2.5-pro.
  "gemini-2.5-pro": { tier: 3, context_window: 1_048_576 },
};

/** Where a routing model's prices come from. */
export type PriceSource = "catalog" | "cost.prices" | "routing.models";

/** A model routing can select. */
export interface RoutingModel {
  /** Model id as routing (and `routing.fallbacks`, outcomes) names it. */
  id: string;
  /** The catalog entry it resolves to, or null for a model the catalog does not price. */
  catalog_id: string | null;
  /** `anthropic`, `openai`, `google`, ... */
  provider: string;
  /** Context window, in tokens. */
  context_window: number;
  /** USD per million input tokens (standard context rate, in force now). */
  input_usd_per_mtok: number;
  /** USD per million output tokens (standard context rate, in force now). */
  output_usd_per_mtok: number;
  /** `catalog` (bundled dataset), `cost.prices` (project override) or `routing.models`. */
  price_source: PriceSource;
  /** Highest level it is trusted with by default: 1 simple, 2 moderate, 3 complex, 4 critical. */
  tier: number;
}

/** A `routing.models` config entry: `id` and `tier`; the rest only where the catalog lacks it. */
interface ConfiguredModel extends Partial<RoutingProfile> {
  id: string;
  provider?: string;
  input_usd_per_mtok?: number;
  output_usd_per_mtok?: number;
}

/** The standard-context rate of a price (long-context tiers left out), 0 when absent. */
function baseRate(price: TokenPrice | undefined): number {
  if (price === undefined) return 0;
  return typeof price === "number" ? price : price.base;
}

/**
 * The models of a project: {@link ROUTING_PROFILES} with `routing.models` merged by id, each
 * priced from the cost catalog (`cost.prices` overrides win, as in the ledger), sorted by
 * provider and id. A `routing.models` entry's own prices and provider apply only to a model
 * the catalog does not price.
 *
 * @throws {BrError} `invalid_data` for a model with no price or no context window anywhere.
 */
export async function routingModels(project: Project): Promise<RoutingModel[]> {
  await import("./config.ts");
  const { Catalog, listCatalog } = await import("../cost/mod.ts");
  const config = await project.config();
  const extra = config.get<ConfiguredModel[]>("routing.models") ?? [];
  const configured = new Map(extra.map((m) => [m.id, m]));
  const wanted = new Map<string, ConfiguredModel>(
    Object.entries(ROUTING_PROFILES).map(([id, p]) => [id, { id, tier: p.tier }]),
  );
  for (const m of extra) wanted.set(m.id, { ...wanted.get(m.id), ...m });
  const dataset = new Catalog();
  const out: RoutingModel[] = [];
  for (const m of wanted.values()) {
    const hit = (await listCatalog(project, { name: m.id })).models[0];
    // A `cost.prices` override carries prices only: provider and context from the dataset.
    const base = dataset.resolve(m.id);
    const hint = `set routing.models entry "${m.id}" with tier, provider, context_window, ` +
      "input_usd_per_mtok and output_usd_per_mtok";
    if (m.tier === undefined) {
      throw new BrError("invalid_data", `Routing model "${m.id}" has no tier`, { hint });
    }
    let prices: { input: number; output: number; source: PriceSource };
    if (hit) {
      const p: ModelPrices = hit.prices;
      prices = {
        input: baseRate(p.input),
        output: baseRate(p.output),
        source: hit.provider === "config" ? "cost.prices" : "catalog",
      };
    } else if (m.input_usd_per_mtok !== undefined && m.output_usd_per_mtok !== undefined) {
      prices = {
        input: m.input_usd_per_mtok,
        output: m.output_usd_per_mtok,
        source: "routing.models",
      };
    } else {
      throw new BrError(
        "invalid_data",
        `Routing model "${m.id}" has no price in the cost catalog`,
        {
          hint: `add it to cost.prices, or ${hint}`,
        },
      );
    }
    const provider = (hit && hit.provider !== "config" ? hit.provider : base?.provider) ??
      m.provider;
    // Config first, then the catalog, then the routing table.
    const context = configured.get(m.id)?.context_window ?? hit?.context_window ??
      base?.context_window ?? ROUTING_PROFILES[m.id]?.context_window;
    if (!provider || !context) {
      throw new BrError(
        "invalid_data",
        `Routing model "${m.id}" has no ${provider ? "context window" : "provider"}`,
        { hint },
      );
    }
    out.push({
      id: m.id,
      catalog_id: hit ? (base?.id ?? hit.id) : null,
      provider,
      context_window: context,
      input_usd_per_mtok: prices.input,
      output_usd_per_mtok: prices.output,
      price_source: prices.source,
      tier: m.tier,
    });
  }
  return out.sort((a, b) => a.provider.localeCompare(b.provider) || a.id.localeCompare(b.id));
}

/**
 * Estimated USD of one task with `tokens` on `model`, at its standard-context rates (the task
 * size is a total over many requests, so per-request long-context tiers do not apply).
 */
export function taskCost(model: RoutingModel, tokens: { input: number; output: number }): number {
  return (tokens.input * model.input_usd_per_mtok + tokens.output * model.output_usd_per_mtok) /
    1_000_000;
}
