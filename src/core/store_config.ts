/**
 * The `store` config section: where the project's store lives (`store.url`, a `postgres://`
 * URL; `BR_DATABASE_URL` wins over it) and the key that keeps the project's data apart on a
 * shared server (`store.project`; `BR_PROJECT_KEY` wins over it).
 *
 * @module
 */
import { z } from "zod";
import { type AnyObjectSchema, defineConfigSection, readerCheck } from "./config.ts";
import { chooseStore } from "./store.ts";

/** `store.*` settings; every field has a default. */
export const storeSection: AnyObjectSchema = defineConfigSection(
  "store",
  z.looseObject({
    url: z.string().nullable().default(null).superRefine(
      readerCheck((url: string | null) => chooseStore(url ?? undefined, "store.url")),
    ),
    project: z.string().trim().min(1).nullable().default(null),
  }),
);
