/**
 * The `routing` config section.
 *
 * @module
 */
import { z } from "zod";
import { defineConfigSection } from "../core/config.ts";

const tokens = z.looseObject({ input: z.number().nonnegative(), output: z.number().nonnegative() });

function schema() {
  return z.looseObject({
    success_bar: z.number().min(0).max(1).default(0.8),
    min_outcomes: z.number().int().positive().default(3),
    fallbacks: z.record(z.string(), z.array(z.string())).default({}),
    models: z.array(z.looseObject({
      id: z.string(),
      provider: z.string(),
      context_window: z.number().int().positive(),
      input_usd_per_mtok: z.number().nonnegative(),
      output_usd_per_mtok: z.number().nonnegative(),
      tier: z.number().int().min(1).max(4),
    })).default([]),
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
