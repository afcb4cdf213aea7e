/**
 * `br cost statusline`, apart from the other cost runners so that a status line refresh loads
 * only what it needs.
 */
import { BrError } from "../../core/errors.ts";
import { statusFigures, type StatusInput } from "../../cost/statusline.ts";
import type { BrContext } from "../context.ts";
import {
  formatUsd,
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  withProject,
} from "../output.ts";

type Common = ProjectFlags & JsonFlags;

const minutes = (m: number) => `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return new TextDecoder().decode(await new Blob(chunks as BlobPart[]).arrayBuffer());
}

/** `br cost statusline`: one line for Claude Code's `statusLine` command. */
export async function statusline(this: BrContext, flags: Common): Promise<void> {
  const raw = this.stdinIsTTY ? "" : await readAll(this.stdin ?? Deno.stdin.readable);
  let input: StatusInput & { workspace?: { project_dir?: unknown }; cwd?: unknown } = {};
  if (raw.trim()) {
    try {
      const parsed = JSON.parse(raw);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) input = parsed;
      else throw new Error("not an object");
    } catch {
      throw new BrError("invalid_data", "Cannot read the status line JSON on stdin", {
        hint: 'pipe the object Claude Code passes to its statusLine command, or "{}"',
      });
    }
  }
  const dir = typeof input.workspace?.project_dir === "string"
    ? input.workspace.project_dir
    : typeof input.cwd === "string"
    ? input.cwd
    : undefined;
  const projectFlags = { ...flags, project: flags.project ?? this.env.BR_PROJECT ?? dir };
  return withProject(this, projectFlags, async (project) => {
    const s = await statusFigures(project, input);
    if (flags.json) return printJson(this, s);
    const parts = [
      `${s.session_cost_usd === null ? "-" : formatUsd(s.session_cost_usd)} session`,
      `${formatUsd(s.today_cost_usd)} today`,
      s.block
        ? `${formatUsd(s.block.cost_usd)} block (${
          minutes(
            Math.max(
              0,
              Math.round((Date.parse(s.block.end) - project.clock.now().getTime()) / 60_000),
            ),
          )
        } left)`
        : "no active block",
    ];
    const burn = s.block?.burn_rate ? ` | ${formatUsd(s.block.burn_rate.cost_per_hour)}/h` : "";
    print(this, `${s.model ? `${s.model} | ` : ""}${parts.join(" · ")}${burn}`);
  });
}
