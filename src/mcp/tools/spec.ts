/** The spec tools: validate and sync PROJECT_SPEC.md, and the handoff package of a feature. */
import { z } from "zod";
import { buildHandoff, checkSpec, renderHandoff, syncSpec } from "../../spec/mod.ts";
import { defineTool, type ToolDefinition } from "../tool.ts";

const Update = z.object({ id: z.string(), fields: z.array(z.string()) });
const Dependency = z.object({ id: z.string(), name: z.string(), status: z.string() });

/** The tools of the spec capability. */
export const specTools: ToolDefinition[] = [
  defineTool({
    name: "br_spec_validate",
    title: "Validate the spec",
    description:
      "Checks PROJECT_SPEC.md like `br spec validate`: required sections, every feature has acceptance criteria, unique ids, known dependencies, no cycles, lock checksum. valid=false lists every problem with its line.",
    set: "standard",
    input: z.strictObject({}),
    output: z.object({
      path: z.string(),
      valid: z.boolean(),
      status: z.string(),
      locked: z.boolean(),
      lock_intact: z.boolean().nullable(),
      features: z.number().describe("How many features the spec declares"),
      problems: z.array(z.object({ line: z.number(), code: z.string(), message: z.string() })),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: ({ project }) => checkSpec(project),
  }),
  defineTool({
    name: "br_spec_sync",
    title: "Sync spec and features",
    description:
      "Three-way merge of PROJECT_SPEC.md and features.json like `br spec sync`: spec edits update features, command-line edits flow back into the spec; ids, statuses and history are kept; conflicts are reported and left alone unless prefer picks a side. dry_run returns the plan and its diff without writing.",
    set: "standard",
    input: z.strictObject({
      dry_run: z.boolean().optional().describe("Compute the plan and its diff, write nothing"),
      prefer: z.enum(["spec", "features"]).optional().describe(
        "Resolve field conflicts in favour of one side",
      ),
    }),
    output: z.object({
      dry_run: z.boolean(),
      added_to_features: z.array(z.string()),
      updated_in_features: z.array(Update),
      removed_from_features: z.array(z.string()),
      added_to_spec: z.array(z.string()),
      updated_in_spec: z.array(Update),
      removed_from_spec: z.array(z.string()),
      conflicts: z.array(z.object({
        id: z.string(),
        field: z.string().nullable(),
        reason: z.string(),
        spec: z.unknown(),
        features: z.unknown(),
        base: z.unknown(),
      })),
      diff: z.string().nullable().describe("Unified diff (dry run only)"),
    }),
    annotations: {
      readOnlyHint: false,
      destructiveHint: true,
      idempotentHint: true,
      openWorldHint: false,
    },
    run: ({ project }, args) => syncSpec(project, { dryRun: args.dry_run, prefer: args.prefer }),
  }),
  defineTool({
    name: "br_handoff",
    title: "Handoff package",
    description:
      "Everything an agent needs to work on one feature, like `br handoff`: project summary, the feature with its acceptance criteria, dependencies and their state, declared files, the spec excerpt, layer rules and the commands that verify the work. prompt is the same package as text.",
    set: "standard",
    input: z.strictObject({ id: z.string().min(1).describe("Feature id") }),
    output: z.object({
      project: z.object({
        name: z.string(),
        summary: z.string(),
        industry: z.string().nullable(),
        use_case: z.string().nullable(),
        stack: z.array(z.string()),
      }),
      feature: z.object({
        id: z.string(),
        name: z.string(),
        description: z.string(),
        status: z.string(),
        priority: z.string(),
        acceptance: z.array(z.string()),
        files: z.array(z.string()),
        tags: z.array(z.string()),
        blocked_reason: z.string().nullable(),
      }),
      dependencies: z.array(Dependency),
      ready: z.boolean(),
      dependents: z.array(Dependency),
      spec_excerpt: z.string().nullable(),
      spec_source: z.string().nullable(),
      architecture_rules: z.array(z.object({ from: z.string(), to: z.string() })),
      commands: z.array(z.string()),
      prompt: z.string().describe("The package rendered as the agent prompt"),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async ({ project }, args) => {
      const handoff = await buildHandoff(project, args.id);
      return { ...handoff, prompt: renderHandoff(handoff) };
    },
  }),
];
