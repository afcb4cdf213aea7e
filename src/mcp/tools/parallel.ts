/** The orchestration tool: where a parallel run stands. */
import { z } from "zod";
import { parallelStatus } from "../../orchestrator/mod.ts";
import { defineTool, paginate, type ToolDefinition } from "../tool.ts";

const counts = z.object({
  pending: z.number(),
  running: z.number(),
  merged: z.number(),
  review: z.number(),
  conflict: z.number(),
  failed: z.number(),
  skipped: z.number(),
  cancelled: z.number(),
});

/** The tools of the orchestration capability. */
export const parallelTools: ToolDefinition[] = [
  defineTool({
    name: "br_parallel_status",
    title: "Parallel run status",
    description:
      "Where the latest (or a given) `br parallel run` stands, like `br parallel status --json`: the run with its task counts and cost, each task (feature, wave, state, phase, attempt, branch, worktree, worker, error, conflict files, cost, last log line), the workers (with the host and lease of remote workers) and the file claims held. run is null before the first run. Tasks are paginated.",
    set: "all",
    input: z.strictObject({
      run: z.string().optional().describe("Run id (default: the latest; br parallel list)"),
      limit: z.number().int().min(1).max(500).default(100).describe("Page size (default 100)"),
      cursor: z.string().optional().describe("next_cursor of the previous page"),
    }),
    output: z.object({
      run: z.object({
        id: z.string(),
        state: z.string(),
        interrupted: z.boolean(),
        created_at: z.string(),
        finished_at: z.string().nullable(),
        base_branch: z.string().nullable(),
        pid: z.number().nullable(),
        heartbeat_at: z.string().nullable(),
        agent: z.string(),
        workers: z.number(),
        counts,
        cost_usd: z.number().nullable(),
        remote: z.string().nullable().describe(
          "The git remote of a run whose agents run on br parallel worker processes",
        ),
      }).nullable(),
      tasks: z.array(z.object({
        id: z.string(),
        feature: z.string(),
        name: z.string(),
        wave: z.number(),
        state: z.string(),
        phase: z.string().nullable(),
        attempt: z.number(),
        max_attempts: z.number(),
        branch: z.string(),
        worktree: z.string(),
        worker: z.string().nullable(),
        pid: z.number().nullable(),
        started_at: z.string().nullable(),
        finished_at: z.string().nullable(),
        elapsed_ms: z.number().nullable(),
        error: z.string().nullable(),
        conflict_files: z.array(z.string()),
        merge_commit: z.string().nullable(),
        cost_usd: z.number().nullable(),
        tokens: z.object({
          input: z.number(),
          output: z.number(),
          cache_creation: z.number(),
          cache_read: z.number(),
        }),
        log: z.string().nullable(),
        last_line: z.string().nullable(),
        ready_at: z.string().nullable(),
        lease_until: z.string().nullable(),
      })),
      next_cursor: z.string().nullable(),
      total: z.number().describe("Tasks (all pages)"),
      workers: z.array(z.object({
        id: z.string(),
        slot: z.number(),
        state: z.string(),
        task: z.string().nullable(),
        pid: z.number().nullable(),
        heartbeat_at: z.string().nullable(),
        host: z.string().nullable().describe(
          "The machine of a remote worker; null for a local slot",
        ),
        lease_until: z.string().nullable(),
      })),
      claims: z.array(z.object({ task: z.string(), pattern: z.string() })),
    }),
    annotations: { readOnlyHint: true, openWorldHint: false },
    run: async ({ project }, args) => {
      const st = await parallelStatus(project, args.run);
      const page = paginate(st.tasks, args.limit, args.cursor);
      return {
        run: st.run,
        tasks: page.items,
        next_cursor: page.next_cursor,
        total: page.total,
        workers: st.workers,
        claims: st.claims,
      };
    },
  }),
];
