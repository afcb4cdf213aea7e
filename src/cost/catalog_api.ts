import { BrError } from "../core/errors.ts";
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

/**
 * Checks that the price catalog (with `cost.prices`) knows `name`, or that it is one of
 * `alsoKnown`.
 *
 * @throws {BrError} `not_found` naming the closest ids in the hint.
 */
export async function requireModel(
  project: Project,
  name: string,
  alsoKnown: readonly string[] = [],
): Promise<void> {
  if (alsoKnown.includes(name)) return;
  const catalog = await projectCatalog(project);
  if (catalog.resolve(name)) return;
  const ids = [...new Set([...catalog.models().map((m) => m.id), ...alsoKnown])];
  const want = name.toLowerCase();
  const close = ids.map((id) => ({ id, d: distance(want, id.toLowerCase()) }))
    .filter((x) => x.d <= Math.max(2, Math.floor(want.length / 4)))
    .sort((a, b) => a.d - b.d || a.id.localeCompare(b.id))
    .slice(0, 3).map((x) => `"${x.id}"`);
  throw new BrError("not_found", `Cannot find model "${name}" in the price catalog`, {
    hint: (close.length ? `did you mean ${close.join(", ")}? ` : "") +
      'run "br cost models" to see ids, or price it in cost.prices',
  });
}

/** Edit distance (insertions, deletions, substitutions). */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
