import type { Project } from "../core/project.ts";
import { CATALOG_SOURCE, type CatalogModel, pricesAt } from "./catalog.ts";
import type { ModelPrices } from "./catalog.ts";
import { projectCatalog } from "./ledger.ts";

/** One model as `br cost models` lists it: the prices in force now. */
export interface CatalogEntry {
  /** Canonical id. */
  id: string;
  /** Provider (`config` for overrides). */
  provider: string;
  /** USD per million tokens. */
  prices: ModelPrices;
  /** Context window, when known. */
  context_window: number | null;
  /** Where the prices come from. */
  source: string;
}

/** The catalog: every priced model (or the one `name` resolves to), sorted by provider and id. */
export async function listCatalog(
  project: Project,
  options: { name?: string; provider?: string } = {},
): Promise<{ source: string; models: CatalogEntry[] }> {
  const catalog = await projectCatalog(project);
  const now = project.clock.now();
  let models: CatalogModel[];
  if (options.name) {
    const hit = catalog.resolve(options.name);
    models = hit ? [hit] : [];
  } else {
    models = catalog.models().filter((m) => !m.deprecated);
  }
  if (options.provider) models = models.filter((m) => m.provider === options.provider);
  return {
    source: CATALOG_SOURCE,
    models: models.map((m) => ({
      id: m.id,
      provider: m.provider,
      prices: pricesAt(m, now),
      context_window: m.context_window ?? null,
      source: m.source,
    })).sort((a, b) => a.provider.localeCompare(b.provider) || a.id.localeCompare(b.id)),
  };
}
