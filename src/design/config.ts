/** The `design` config section. */
import { z } from "zod";
import { type AnyObjectSchema, defineConfigSection } from "../core/config.ts";
import { OverridesSchema } from "./schema.ts";

/**
 * `design.industry` / `design.use_case`: defaults when neither the command line nor the
 * spec names them; `design.out`: output folder (relative to the project root);
 * `design.format`: default format; `design.dtcg_compat`: `tokens.json` with string values
 * (for Style Dictionary 4); `design.overrides`: token overrides applied last.
 */
export const designSection: AnyObjectSchema = defineConfigSection(
  "design",
  z.looseObject({
    industry: z.string().nullable().default(null),
    use_case: z.string().nullable().default(null),
    out: z.string().default("design"),
    format: z.enum(["tailwind4", "tailwind3", "dtcg", "all"]).default("all"),
    // tokens.json in the earlier DTCG draft form (string values) that Style Dictionary 4 reads.
    dtcg_compat: z.boolean().default(false),
    // The schema `br design` reads them with.
    overrides: OverridesSchema.default({}),
  }),
);
