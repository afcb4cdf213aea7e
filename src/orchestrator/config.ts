import { z } from "zod";
import { defineConfigSection, readerCheck } from "../core/config.ts";
import { BUILTIN_PROFILES, parseDuration, TEMPLATE_SAMPLE } from "./_settings.ts";
import { renderArgv } from "./_words.ts";

// What the run settings read (`parseDuration`, `renderArgv`), so that `br config set`
// refuses the rest.
const duration = z.union([z.string(), z.number()]).refine((v) => {
  try {
    parseDuration(v);
    return true;
  } catch {
    return false;
  }
}, "use a number with a unit: 250ms, 90s, 30m, 1h");
const template = z.string().superRefine(
  readerCheck((t: string) => renderArgv(t, TEMPLATE_SAMPLE)),
);

/** One agent profile of `parallel.agents.<name>`. */
const profileSchema = z.looseObject({
  command: template,
  stdin: z.enum(["prompt", "none"]).default("none"),
  long_command: template.nullable().default(null),
  long_stdin: z.enum(["prompt", "none"]).default("none"),
  usage: z.enum(["auto", "claude", "codex", "none"]).default("auto"),
  model: z.string().nullable().default(null),
  env: z.record(z.string(), z.string()).default({}),
  min_version: z.string().regex(/^\d+(\.\d+){0,2}$/, "use a version like 1.2.3").nullable()
    .default(null),
});

/** Settings of `br parallel` (section `parallel`). */
export const parallelSection = defineConfigSection(
  "parallel",
  z.looseObject({
    workers: z.number().int().min(1).max(64).default(2),
    agent: z.string().default("claude"),
    agents: z.record(z.string(), profileSchema).default({}),
    model: z.string().nullable().default(null),
    timeout: duration.default("30m"),
    retries: z.number().int().min(0).max(10).default(1),
    retry_backoff: duration.default("10s"),
    heartbeat: duration.default("5s"),
    branch_prefix: z.string().default("br/"),
    base: z.string().nullable().default(null),
    include: z.array(z.string()).default([".env", ".env.local"]),
    merge: z.enum(["ff", "no-ff", "ff-only"]).default("ff"),
    on_success: z.enum(["complete", "testing"]).default("complete"),
    gates: z.array(z.string()).nullable().default(null),
    run_tests: z.boolean().default(true),
    commit_status: z.boolean().default(true),
    cleanup: z.boolean().default(true),
    max_cost_usd: z.number().nullable().default(null),
    prompt_arg_max: z.number().int().min(0).default(8000),
  }).superRefine((v, ctx) => {
    // As `loadSettings` resolves it: a profile of parallel.agents, else a built-in one.
    if (Object.hasOwn(v.agents, v.agent) || Object.hasOwn(BUILTIN_PROFILES, v.agent)) return;
    ctx.addIssue({
      code: "custom",
      path: ["agent"],
      message: `Unknown agent profile "${v.agent}" (use ${
        Object.keys(BUILTIN_PROFILES).join(", ")
      } or define parallel.agents.${v.agent}.command)`,
    });
  }),
);
