/**
 * `command()` ties a definition to its runner's types: a runner that reads a flag the definition
 * does not declare, or reads it with another type, does not type-check. Each `@ts-expect-error`
 * below fails `deno check` (and so this test file) if the error it expects disappears.
 */
import assert from "node:assert/strict";
import { buildApplication, run } from "@stricli/core";
import { command } from "../../src/cli/define.ts";
import type { BrContext } from "../../src/cli/context.ts";
import { jsonFlag, type JsonFlags, projectFlag, type ProjectFlags } from "../../src/cli/output.ts";

type ScanFlags = ProjectFlags & JsonFlags & { depth?: number };

const seen: unknown[] = [];
function scan(this: BrContext, flags: ScanFlags, ...paths: string[]): void {
  seen.push({ depth: flags.depth, json: flags.json, paths });
}
const depthFlag = {
  kind: "parsed",
  parse: Number,
  brief: "Depth",
  optional: true,
  placeholder: "n",
} as const;
const paths = {
  kind: "array",
  parameter: { brief: "Paths", parse: String, placeholder: "path" },
} as const;

// The runner reads --depth; the definition does not declare it.
command({
  load: () => Promise.resolve(scan),
  brief: "scan",
  // @ts-expect-error: property 'depth' is missing
  parameters: { flags: { project: projectFlag, json: jsonFlag }, positional: paths },
});

// The definition renamed the flag (--max-depth) while the runner still reads --depth.
command({
  load: () => Promise.resolve(scan),
  brief: "scan",
  parameters: {
    // @ts-expect-error: 'maxDepth' is not a flag of the runner (and 'depth' is missing)
    flags: { project: projectFlag, json: jsonFlag, maxDepth: depthFlag },
    positional: paths,
  },
});

// The definition parses --depth as text; the runner reads a number.
command({
  load: () => Promise.resolve(scan),
  brief: "scan",
  parameters: {
    flags: {
      project: projectFlag,
      json: jsonFlag,
      // @ts-expect-error: string is not assignable to number
      depth: { ...depthFlag, parse: String },
    },
    positional: paths,
  },
});

// The runner takes no positional arguments; the definition declares some.
function status(this: BrContext, flags: ProjectFlags & JsonFlags): void {
  seen.push(flags);
}
command({
  load: () => Promise.resolve(status),
  brief: "status",
  // @ts-expect-error: positional arguments the runner does not take
  parameters: { flags: { project: projectFlag, json: jsonFlag }, positional: paths },
});

Deno.test("a definition that matches its runner builds a command that passes the parsed flags", async () => {
  seen.length = 0;
  const cmd = command({
    load: () => Promise.resolve(scan),
    brief: "scan",
    parameters: {
      flags: { project: projectFlag, json: jsonFlag, depth: depthFlag },
      positional: paths,
    },
  });
  const out: string[] = [];
  const sink = { write: (t: string) => void out.push(t) };
  const ctx: BrContext = {
    process: { stdout: sink, stderr: sink },
    env: {},
    cwd: Deno.cwd(),
    stdoutIsTTY: false,
    stdinIsTTY: false,
  };
  await run(buildApplication(cmd, { name: "t" }), ["--depth", "3", "--json", "a", "b"], ctx);
  assert.deepEqual(seen, [{ depth: 3, json: true, paths: ["a", "b"] }]);
  assert.equal(out.join(""), "");
});
