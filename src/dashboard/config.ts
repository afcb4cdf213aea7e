import { z } from "zod";
import { type AnyObjectSchema, defineConfigSection } from "../core/config.ts";

/**
 * The `dashboard` config section. `br dashboard --roots` remembers its roots here, in the
 * global config file.
 */
export const dashboardSection: AnyObjectSchema = defineConfigSection(
  "dashboard",
  z.looseObject({
    /** Folders searched for projects (default: the current directory). */
    roots: z.array(z.string()).default([]),
    /** How many folder levels below a root are searched. */
    depth: z.number().int().min(0).max(12).default(3),
  }),
);
