/**
 * The `routing` config section.
 *
 * @module
 */
import { z } from "zod";
import { defineConfigSection } from "../core/config.ts";
import { ROUTING_PROFILES } from "./models.ts";

const tokens = z.looseObject({ input: z.number().nonnegative(), output: z.number().nonnegative() });

function schema() {
  return z.looseObject({
    success_bar: z.number().min(0).max(1).default(0.8),
    min_outcomes: z.number().int().positive().default(3),
    fallbacks: z.record(z.string(), z.array(z.string())).default({}),
    // Prices, provider and context window come from the cost catalog; an entry's own
    // provider and prices apply only to a model the catalog does not price. A new model
    // needs a tier.
    models: z.array(
      z.looseObject({
        id: z.string(),
        tier: z.number().int().min(1).max(4).optional(),
        provider: z.string().optional(),
        context_window: z.number().int().positive().optional(),
        input_usd_per_mtok: z.number().nonnegative().optional(),
        output_usd_per_mtok: z.number().nonnegative().optional(),
      }).refine((m) => m.tier !== undefined || Object.hasOwn(ROUTING_PROFILES, m.id), {
        // As `routingModels` requires: a model routing has no profile of needs its tier.
        message: "is required (1-4) for a model routing has no profile of",
        path: ["tier"],
      }),
    ).default([]),
    tokens: z.looseObject({
      simple: tokens.default({ input: 20_000, output: 4_000 }),
      moderate: tokens.default({ input: 80_000, output: 12_000 }),
      complex: tokens.default({ input: 250_000, output: 40_000 }),
      critical: tokens.default({ input: 600_000, output: 90_000 }),
    }).default({
      simple: { input: 20_000, output: 4_000 },
      moderate: { input: 80_000, output: 12_000 },
      complex: { input: 250_000, output: 40_000 },
      critical: { input: 600_000, output: 90_000 },
    }),
  });
}

/** `routing.*` settings; every field has a default. */
export const routingSection: ReturnType<typeof schema> = defineConfigSection("routing", schema());
