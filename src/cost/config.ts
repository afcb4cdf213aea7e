import { z } from "zod";
import { type AnyObjectSchema, defineConfigSection, readerCheck } from "../core/config.ts";
import { checkTimeZone } from "./_time.ts";

const price = z.union([
  z.number().nonnegative(),
  z.object({
    base: z.number().nonnegative(),
    tiers: z.array(z.object({ start: z.number().int().nonnegative(), price: z.number() })),
  }),
]);

/** The `cost` config section. */
export const costSection: AnyObjectSchema = defineConfigSection(
  "cost",
  z.looseObject({
    /** Time zone of day/week/month keys and budget windows (default: `TZ`, else local). */
    timezone: z.string().superRefine(readerCheck(checkTimeZone)).nullable().default(null),
    /** Default warn level of new budgets, in percent of the limit. */
    budget_warn_pct: z.number().min(0).max(100).default(80),
    /** Price overrides by model name, in USD per million tokens. */
    prices: z.record(
      z.string(),
      z.looseObject({
        input: price.optional(),
        output: price.optional(),
        cache_write_5m: price.optional(),
        cache_write_1h: price.optional(),
        cache_read: price.optional(),
      }),
    ).default({}),
  }),
);
