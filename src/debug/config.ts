/**
 * The `debug` config section.
 *
 * @module
 */
import { z } from "zod";
import { type AnyObjectSchema, defineConfigSection } from "../core/config.ts";

/** `debug.*` settings; every field has a default. */
export const debugSection: AnyObjectSchema = defineConfigSection(
  "debug",
  z.looseObject({
    /** Log and test-output files `br watch` watches (paths or globs from the project root). */
    watch: z.array(z.string().min(1)).default([]),
  }),
);
