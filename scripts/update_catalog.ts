/**
 * Regenerates `src/cost/catalog_data.json` from the maintained price dataset
 * `@pydantic/genai-prices` (npm): the token prices of every Anthropic, OpenAI and Google
 * model, with the match rules, long-context tiers and dated price changes, and the source
 * of each row. The reviewed corrections in `src/cost/catalog_corrections.json` are applied over
 * this file at load time (never written into it); the script lists them so they can be dropped
 * once the dataset carries the same prices.
 *
 *     deno run -A --config tests/deno.json scripts/update_catalog.ts
 */
import { findProvider } from "@pydantic/genai-prices";

const PACKAGE = "@pydantic/genai-prices@0.1.8";
const PROVIDERS = ["anthropic", "openai", "google"];
const KEYS: Record<string, string> = {
  input_mtok: "input",
  output_mtok: "output",
  cache_write_mtok: "cache_write_5m",
  cache_write_1h_mtok: "cache_write_1h",
  cache_read_mtok: "cache_read",
};

type Price = number | { base: number; tiers: { start: number; price: number }[] };

function tokenPrices(prices: Record<string, unknown>): Record<string, Price> {
  const out: Record<string, Price> = {};
  for (const [from, to] of Object.entries(KEYS)) {
    const value = prices[from];
    if (typeof value === "number") out[to] = value;
    else if (value && typeof value === "object") {
      const t = value as { base: number; tiers: { start: number; price: number }[] };
      out[to] = { base: t.base, tiers: t.tiers.map((x) => ({ start: x.start, price: x.price })) };
    }
  }
  return out;
}

const today = new Date().toISOString().slice(0, 10);
const models = [];
for (const id of PROVIDERS) {
  const provider = findProvider({ providerId: id });
  if (!provider) throw new Error(`provider ${id} missing from ${PACKAGE}`);
  for (const model of provider.models) {
    const periods = Array.isArray(model.prices)
      ? model.prices
        .filter((p) => !p.constraint || p.constraint.type === "start_date")
        .map((p) => ({
          from: p.constraint && "start_date" in p.constraint ? p.constraint.start_date : null,
          prices: tokenPrices(p.prices as Record<string, unknown>),
        }))
      : [{ from: null, prices: tokenPrices(model.prices as Record<string, unknown>) }];
    if (!periods.some((p) => p.prices.input !== undefined || p.prices.output !== undefined)) {
      continue;
    }
    models.push({
      id: model.id,
      provider: id,
      match: model.match,
      periods,
      ...(model.context_window ? { context_window: model.context_window } : {}),
      ...(model.deprecated ? { deprecated: true } : {}),
      source: `${PACKAGE} (${provider.pricing_urls?.[0] ?? provider.name}), read ${today}`,
    });
  }
}

const target = new URL("../src/cost/catalog_data.json", import.meta.url);
await Deno.writeTextFile(
  target,
  JSON.stringify({ source: PACKAGE, generated: today, models }, null, 1) + "\n",
);
console.log(`wrote ${models.length} models to ${target.pathname}`);
const fixes = JSON.parse(
  await Deno.readTextFile(new URL("../src/cost/catalog_corrections.json", import.meta.url)),
) as { corrections: { provider: string; id: string; periods: unknown }[] };
for (const fix of fixes.corrections) {
  const row = models.find((m) => m.provider === fix.provider && m.id === fix.id);
  const same = row && JSON.stringify(row.periods) === JSON.stringify(fix.periods);
  console.log(
    `correction ${fix.provider}/${fix.id}: ${
      !row
        ? "model no longer in the dataset"
        : same
        ? "now in the dataset, drop it"
        : "still applied"
    }`,
  );
}
