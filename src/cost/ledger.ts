import type { Project } from "../core/project.ts";
import { Catalog, type ModelPrices } from "./catalog.ts";
import type { UsageEntry } from "./types.ts";

export { writeEntries } from "./_ledger_write.ts";

/** The project's price overrides (`cost.prices`). */
export async function projectPrices(project: Project): Promise<Record<string, ModelPrices>> {
  // Without a word of `cost` in any config layer there are none, and neither the YAML parser
  // nor the schemas need loading (an import would spend a tenth of its time on them).
  if (!project.configMentions("cost")) return {};
  await import("./config.ts");
  const config = await project.config();
  return config.get<Record<string, ModelPrices>>("cost.prices") ?? {};
}

/** The catalog with the project's price overrides (`cost.prices`). */
export async function projectCatalog(project: Project): Promise<Catalog> {
  return new Catalog(await projectPrices(project));
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

/** Rounds USD to micro-dollars. */
export function round(usd: number): number {
  return Math.round(usd * 1e6) / 1e6;
}
