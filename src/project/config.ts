import { z } from "zod";
import { type AnyObjectSchema, defineConfigSection } from "../core/config.ts";

/** The `project.*` settings (`br attach` records what it detects here). */
export const projectSection: AnyObjectSchema = defineConfigSection(
  "project",
  z.looseObject({
    name: z.string().nullable().default(null),
    languages: z.array(z.string()).default([]),
    package_managers: z.array(z.string()).default([]),
    test_command: z.string().nullable().default(null),
  }),
);
