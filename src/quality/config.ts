import { z } from "zod";
import { defineConfigSection } from "../core/config.ts";
import { GATE_NAMES } from "./model.ts";

/** The `quality` config section: score threshold, structure limits, the gates of `br validate`. */
export const qualitySection: ReturnType<typeof defineConfigSection> = defineConfigSection(
  "quality",
  z.looseObject({
    threshold: z.number().min(0).max(100).default(70),
    max_function_lines: z.number().int().positive().default(60),
    max_file_lines: z.number().int().positive().default(500),
    max_complexity: z.number().int().positive().default(10),
    test_ratio_target: z.number().positive().default(0.5),
    gates: z.array(z.enum(GATE_NAMES)).default([...GATE_NAMES]),
  }),
);
