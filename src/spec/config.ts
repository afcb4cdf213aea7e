import { z } from "zod";
import { type AnyObjectSchema, defineConfigSection } from "../core/config.ts";

/** Settings of the spec capability (`spec.*`). */
export const specSection: AnyObjectSchema = defineConfigSection(
  "spec",
  z.looseObject({
    detection_threshold: z.number().min(0).max(1).default(0.3),
    context_files: z.array(z.string()).default(["CLAUDE.md", "AGENTS.md"]),
    verify_commands: z.array(z.string()).default([]),
  }),
);
