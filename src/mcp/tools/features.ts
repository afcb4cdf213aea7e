/** The feature tools: the default set every client gets. */
import { z } from "zod";
import {
  addFeature,
  featureDetail,
  nextFeature,
  PRIORITIES,
  readyFeatures,
  setFeatureStatus,
  STATUSES,
  summarize,
} from "../../features/mod.ts";
import { FEATURE_LIMITS, FeatureFields, LoadedFeatureSchema } from "../../features/schema.ts";
import { recordedBlockers } from "../../debug/blockers.ts";

/** Errors `br pipe`/`br watch` saw in a feature's files (as `br status --json` lists them). */
const DebugBlockers = z.array(z.looseObject({
  feature: z.string(),
  signature: z.string(),
  kind: z.string(),
  message: z.string(),
  file: z.string().nullable(),
  line: z.number().nullable(),
  since: z.string(),
}));

/** The blockers as the output schema types them (every field of each kept). */
function blockersOut(list: unknown[]): z.infer<typeof DebugBlockers> {
  return list as z.infer<typeof DebugBlockers>;
}
import { confineGlob, defineTool, paginate, type ToolDefinition } from "../tool.ts";

/** One feature as `features.json` holds it (fields of other tools are kept). */
export const FeatureOut = LoadedFeatureSchema;

const Metrics = z.object({
  features_total: z.number(),
  features_complete: z.number(),
  features_in_progress: z.number(),
  features_testing: z.number(),
  features_planned: z.number(),
  features_blocked: z.number(),
  features_parked: z.number(),
  completion_percentage: z.number(),
});

const featureId = z.string().min(1).max(FEATURE_LIMITS.id).describe(
  "Feature id, as in br_list_features",
);
const limit = z.number().int().min(1).max(500).default(50).describe(
  "Page size (1-500, default 50)",
);
const cursor = z.string().optional().describe("next_cursor of the previous page");

/** The tools of the features capability. */
export const featureTools: ToolDefinition[] = [
  defineTool({
    name: "br_status",
    title: "Project status",
    description:
      "Project summary: name, version, completion metrics, blocked features with reasons, and the feature to work on next. Same data as `br status --json`.",
    set: "default",
    input: z.strictObject({}),
    output: z.object({
      project: z.string(),
      version: z.string(),
      status: z.string(),
      last_updated: z.string(),
      metrics: Metrics,
      blockers: z.array(
        z.object({ id: z.string(), name: z.string(), reason: z.string().nullable() }),
      ),
      next: FeatureOut.nullable(),
      debug_blockers: DebugBlockers,
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async ({ features, project }) => ({
      ...summarize(await features()),
      debug_blockers: blockersOut(await recordedBlockers(project)),
    }),
  }),
  defineTool({
    name: "br_list_features",
    title: "List features",
    description:
      "Lists features in file order, optionally filtered by status, priority or tag. Paginated: pass next_cursor back as cursor for the next page.",
    set: "default",
    input: z.strictObject({
      status: z.enum(STATUSES).optional().describe("Only this status"),
      priority: z.enum(PRIORITIES).optional().describe("Only this priority"),
      tag: z.string().max(100).optional().describe("Only features with this tag"),
      limit,
      cursor,
    }),
    output: z.object({
      features: z.array(FeatureOut),
      next_cursor: z.string().nullable(),
      total: z.number(),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async ({ features }, args) => {
      const file = await features();
      const matching = file.features.filter((f) =>
        (!args.status || f.status === args.status) &&
        (!args.priority || f.priority === args.priority) &&
        (!args.tag || f.tags.includes(args.tag))
      );
      const page = paginate(matching, args.limit, args.cursor);
      return { features: page.items, next_cursor: page.next_cursor, total: page.total };
    },
  }),
  defineTool({
    name: "br_get_feature",
    title: "Get a feature",
    description:
      "One feature with every field, plus the status of each dependency and the ids of the features that depend on it.",
    set: "default",
    input: z.strictObject({ id: featureId }),
    output: z.object({
      feature: FeatureOut,
      dependencies: z.array(z.object({ id: z.string(), status: z.string() })),
      needed_by: z.array(z.string()),
      debug_blockers: DebugBlockers,
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async ({ features, project }, args) => {
      const detail = featureDetail(await features(), args.id);
      return {
        ...detail,
        debug_blockers: blockersOut(await recordedBlockers(project, detail.feature.id)),
      };
    },
  }),
  defineTool({
    name: "br_next_feature",
    title: "Next feature",
    description:
      "The feature to work on next: planned, every dependency complete, highest priority, fewest dependents waiting, then id. null when nothing is ready. Same rule as `br feature next`.",
    set: "default",
    input: z.strictObject({}),
    output: z.object({
      feature: FeatureOut.nullable(),
      ready: z.array(z.string()).describe("Every ready id, in pick order"),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async ({ features }) => {
      const file = await features();
      return {
        feature: nextFeature(file.features),
        ready: readyFeatures(file.features).map((f) => f.id),
      };
    },
  }),
  defineTool({
    name: "br_set_feature_status",
    title: "Set feature status",
    description:
      "Moves a feature to another status with the CLI's rules: blocked needs a reason; complete needs every dependency complete unless force (recorded in the event log); a blocked feature goes back to planned before it is started or completed. Setting the current status again changes nothing.",
    set: "default",
    input: z.strictObject({
      id: featureId,
      status: z.enum(STATUSES),
      reason: FeatureFields.blocked_reason.optional().describe(
        "Why it is blocked (required for blocked)",
      ),
      force: z.boolean().optional().describe(
        "Complete even with open dependencies (recorded in the event log)",
      ),
    }),
    output: z.object({ feature: FeatureOut }),
    annotations: {
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
      openWorldHint: false,
    },
    run: async ({ project }, args) => ({
      feature: await setFeatureStatus(project, args.id, args.status, {
        reason: args.reason,
        force: args.force,
      }),
    }),
  }),
  defineTool({
    name: "br_add_feature",
    title: "Add a feature",
    description:
      "Adds a feature to .buildrunner/features.json. The id defaults to the slug of the name; dependencies must exist and make no cycle.",
    set: "default",
    input: z.strictObject({
      name: FeatureFields.name.describe(`One line, at most ${FEATURE_LIMITS.name} characters`),
      id: z.string().max(FEATURE_LIMITS.id).optional().describe(
        "Id (default: slug of the name)",
      ),
      description: FeatureFields.description.optional(),
      priority: z.enum(PRIORITIES).optional().describe("Default medium"),
      status: z.enum(STATUSES).optional().describe("Default planned"),
      blocked_reason: FeatureFields.blocked_reason.optional().describe(
        "Required with status blocked",
      ),
      dependencies: FeatureFields.dependencies.optional().describe("Ids it depends on"),
      acceptance: FeatureFields.acceptance.optional().describe("Acceptance criteria"),
      files: FeatureFields.files.optional().describe(
        "Globs of where the work lives, relative to the project root",
      ),
      tags: FeatureFields.tags.optional(),
      week: z.number().int().min(0).optional(),
      build: FeatureFields.build.optional(),
      owner: FeatureFields.owner.optional(),
    }),
    output: z.object({ feature: FeatureOut }),
    annotations: {
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: false,
      openWorldHint: false,
    },
    run: async ({ project }, args) => ({
      feature: await addFeature(project, {
        ...args,
        files: args.files?.map((f, i) => confineGlob(f, `files[${i}]`)),
      }),
    }),
  }),
];
