/**
 * The zod schema of `features.json`: used on every write, and on reads whenever the quick
 * structural check finds something wrong, so that the error names the exact field.
 */
import { z } from "zod";
import { PRIORITIES, STATUSES } from "./types.ts";
import { ID_RULE, idProblem } from "./ids.ts";

const nullableString = z.string().nullable();

/** Schema of one feature (unknown fields allowed). */
export const FeatureSchema = z.looseObject({
  id: z.string().refine((id) => idProblem(id) === null, { message: ID_RULE }),
  name: z.string().min(1, "a feature needs a name"),
  description: z.string().optional(),
  status: z.enum(STATUSES).optional(),
  priority: z.enum(PRIORITIES).optional(),
  version: z.string().optional(),
  dependencies: z.array(z.string()).optional(),
  acceptance: z.array(z.string()).optional(),
  files: z.array(z.string()).optional(),
  tags: z.array(z.string()).optional(),
  owner: nullableString.optional(),
  week: z.number().int().nullable().optional(),
  build: z.union([z.string(), z.number()]).nullable().optional(),
  blocked_reason: nullableString.optional(),
  created_at: nullableString.optional(),
  updated_at: nullableString.optional(),
  completed_at: nullableString.optional(),
});

/** Schema of the whole file (unknown fields allowed). */
export const FeaturesFileSchema = z.looseObject({
  project: z.string().optional(),
  version: z.string().optional(),
  status: z.string().optional(),
  description: z.string().optional(),
  last_updated: z.string().nullable().optional(),
  features: z.array(FeatureSchema),
  metrics: z.record(z.string(), z.unknown()).optional(),
}).superRefine((data, ctx) => {
  const seen = new Map<string, number>();
  data.features.forEach((f, i) => {
    const first = seen.get(f.id);
    if (first !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["features", i, "id"],
        message: `duplicate id "${f.id}" (also features[${first}])`,
      });
    } else seen.set(f.id, i);
  });
});

/** The first problem zod finds, as `path: message`, or null when the data is valid. */
export function schemaProblem(data: unknown): string | null {
  const result = FeaturesFileSchema.safeParse(data);
  if (result.success) return null;
  const issue = result.error.issues[0];
  const path = issue.path.map((p) => typeof p === "number" ? `[${p}]` : `.${String(p)}`)
    .join("").replace(/^\./, "");
  let where = path || "(root)";
  const m = path.match(/^features\[(\d+)\]/);
  if (m) {
    const f = (data as { features: { id?: unknown }[] }).features[Number(m[1])];
    if (f && typeof f.id === "string") where += ` (feature "${f.id}")`;
  }
  let value = "";
  if (issue.code === "invalid_value" || issue.code === "custom") {
    const v = getAt(data, issue.path);
    if (typeof v === "string") value = ` (got "${v}")`;
  }
  return `${where}: ${issue.message}${value}`;
}

function getAt(data: unknown, path: PropertyKey[]): unknown {
  let node = data;
  for (const p of path) {
    if (node === null || typeof node !== "object") return undefined;
    node = (node as Record<PropertyKey, unknown>)[p];
  }
  return node;
}
