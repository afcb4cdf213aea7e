import { resolve } from "node:path";
import { BrError, ExitCode } from "../../core/errors.ts";
import { readTextOrNull } from "../../core/fs.ts";
import {
  answerKey,
  buildHandoff,
  checkSpec,
  confirmSpec,
  lockSpec,
  missingAnswer,
  parseAnswers,
  parseFeatureFlag,
  problemLine,
  renderContextBlock,
  renderHandoff,
  requireSpec,
  type SpecStateChange,
  type SyncResult,
  syncSpec,
  unlockSpec,
  type WizardAnswers,
  writeContext,
  writeWizardSpec,
} from "../../spec/mod.ts";
import type { BrContext } from "../context.ts";
import {
  colors,
  type JsonFlags,
  print,
  printJson,
  type ProjectFlags,
  setExit,
  withProject,
} from "../output.ts";

type Common = ProjectFlags & JsonFlags;

interface WizardFlags extends Common {
  answers?: string;
  name?: string;
  description?: string;
  user?: string[];
  industry?: string;
  useCase?: string;
  stack?: string[];
  feature?: string[];
  force?: boolean;
  sync?: boolean;
}

const splitAll = (items: string[]) =>
  items.flatMap((s) => s.split(",")).map((s) => s.trim()).filter(Boolean);

/** `br spec wizard` */
export function wizard(this: BrContext, flags: WizardFlags): Promise<void> {
  return withProject(this, flags, async (project) => {
    let answers: WizardAnswers = {};
    if (flags.answers) {
      const path = resolve(this.cwd, flags.answers);
      const text = await readTextOrNull(path);
      if (text === null) {
        throw new BrError("not_found", `Cannot find the answers file "${flags.answers}"`, {
          hint: "pass the path of a YAML file (see docs/spec.md)",
        });
      }
      answers = await parseAnswers(text, flags.answers);
    }
    if (flags.name !== undefined) answers.name = flags.name;
    if (flags.description !== undefined) answers.description = flags.description;
    if (flags.user?.length) answers.users = flags.user;
    if (flags.industry !== undefined) answers.industry = flags.industry;
    if (flags.useCase !== undefined) answers.use_case = flags.useCase;
    if (flags.stack?.length) answers.stack = splitAll(flags.stack);
    if (flags.feature?.length) answers.features = flags.feature.map(parseFeatureFlag);
    if (!flags.answers && this.stdinIsTTY) {
      const { promptAnswers } = await import("./spec_prompts.ts");
      answers = await promptAnswers(project, answers, { toStderr: flags.json });
    } else {
      const missing = missingAnswer(answers);
      if (missing) {
        throw new BrError(
          "usage",
          `Missing ${missing}: stdin is not a terminal, so br cannot ask`,
          {
            hint: `pass ${missing}, or --answers answers.yaml with "${answerKey(missing)}" in it`,
          },
        );
      }
    }
    const result = await writeWizardSpec(project, answers, { force: flags.force });
    const synced = flags.sync ? await syncSpec(project) : null;
    if (flags.json) return printJson(this, { ...result, sync: synced });
    const c = await colors(this);
    print(this, `${c.green("✓")} Wrote ${result.path} (${result.features.length} features)`);
    for (
      const [label, d] of [["industry", result.industry], ["use case", result.use_case]] as const
    ) {
      const how = d.source === "answer"
        ? "given"
        : `detected, confidence ${d.confidence}${
          d.matched.length ? `: ${d.matched.join(", ")}` : ""
        }`;
      print(this, `  ${label}: ${c.bold(d.value)} (${how})`);
      const others = d.candidates.filter((x) => x.name !== d.value && x.score > 0);
      if (d.source === "detected" && others.length) {
        print(
          this,
          c.dim(`    other candidates: ${others.map((x) => `${x.name} ${x.score}`).join(", ")}`),
        );
      }
    }
    if (synced) await printSync(this, synced);
    else {print(
        this,
        c.dim('Next: "br spec validate", then "br spec sync" to create the features.'),
      );}
  });
}

/** `br spec validate` */
export function validate(this: BrContext, flags: Common): Promise<void> {
  return withProject(this, flags, async (project) => {
    const v = await checkSpec(project);
    if (!v.valid) setExit(this, ExitCode.checkFailed);
    if (flags.json) return printJson(this, v);
    const c = await colors(this);
    if (v.valid) {
      const lock = v.locked ? ", locked" : "";
      print(
        this,
        `${c.green("✓")} ${v.path} is valid (status ${v.status}${lock}, ${v.features} features)`,
      );
      return;
    }
    for (const p of v.problems) print(this, problemLine(v.path, p));
    print(this, c.red(`${v.problems.length} problem(s) in ${v.path}`));
  });
}

/** Prints a sync result as text. */
async function printSync(ctx: BrContext, r: SyncResult): Promise<void> {
  const c = await colors(ctx);
  const lines: string[] = [];
  for (const id of r.added_to_features) {
    lines.push(`features.json  ${c.green("+")} ${id} (new in the spec)`);
  }
  for (const u of r.updated_in_features) {
    lines.push(`features.json  ${c.yellow("~")} ${u.id} (${u.fields.join(", ")})`);
  }
  for (const id of r.removed_from_features) {
    lines.push(`features.json  ${c.red("-")} ${id} (removed from the spec)`);
  }
  for (const id of r.added_to_spec) {
    lines.push(`PROJECT_SPEC.md ${c.green("+")} ${id} (new in features.json)`);
  }
  for (const u of r.updated_in_spec) {
    lines.push(`PROJECT_SPEC.md ${c.yellow("~")} ${u.id} (${u.fields.join(", ")})`);
  }
  for (const id of r.removed_from_spec) {
    lines.push(`PROJECT_SPEC.md ${c.red("-")} ${id} (removed from features.json)`);
  }
  for (const k of r.conflicts) {
    const where = k.field ? `${k.id}.${k.field}` : k.id;
    const val = (v: unknown) => v === null ? "absent" : JSON.stringify(v);
    lines.push(
      `${c.red("conflict")} ${where}: ${k.reason} (spec ${val(k.spec)}, features.json ${
        val(k.features)
      })`,
    );
  }
  if (lines.length) print(ctx, lines.join("\n"));
  const added = r.added_to_features.length + r.added_to_spec.length;
  const changed = r.updated_in_features.length + r.updated_in_spec.length;
  const removed = r.removed_from_features.length + r.removed_from_spec.length;
  const verb = r.dry_run ? "Would sync" : "Synced";
  if (added + changed + removed + r.conflicts.length === 0) print(ctx, "Already in sync.");
  else {
    print(
      ctx,
      `${verb}: ${added} added, ${changed} changed, ${removed} removed, ${r.conflicts.length} conflict(s).`,
    );
  }
}

/** `br spec sync` */
export function sync(
  this: BrContext,
  flags: Common & { dryRun?: boolean; prefer?: string },
): Promise<void> {
  return withProject(this, flags, async (project) => {
    if (flags.prefer !== undefined && flags.prefer !== "spec" && flags.prefer !== "features") {
      throw new BrError("usage", `Unknown --prefer "${flags.prefer}"`, {
        hint: "use spec or features",
      });
    }
    const r = await syncSpec(project, {
      dryRun: flags.dryRun,
      prefer: flags.prefer as "spec" | "features" | undefined,
    });
    if (r.conflicts.length) setExit(this, ExitCode.conflict);
    if (flags.json) return printJson(this, r);
    if (r.dry_run && r.diff) print(this, r.diff.replace(/\n$/, ""));
    await printSync(this, r);
    if (r.dry_run) print(this, "Dry run: nothing was written.");
    if (r.conflicts.length) {
      print(
        this,
        "Conflicts were left as they are: edit one side to match, or re-run with " +
          "--prefer features (features.json wins) or --prefer spec (the spec wins).",
      );
    }
  });
}

async function stateChange(
  ctx: BrContext,
  flags: JsonFlags,
  r: SpecStateChange,
  verb: string,
): Promise<void> {
  if (flags.json) return printJson(ctx, r);
  const c = await colors(ctx);
  if (!r.changed) print(ctx, `Nothing to do: the spec is ${r.to}.`);
  else {print(
      ctx,
      `${c.green("✓")} ${verb}: status ${r.from} -> ${r.to}${r.lock ? ` (${r.lock})` : ""}`,
    );}
}

/** `br spec confirm` */
export function confirm(this: BrContext, flags: Common): Promise<void> {
  return withProject(
    this,
    flags,
    async (p) => await stateChange(this, flags, await confirmSpec(p), "Confirmed"),
  );
}

/** `br spec lock` */
export function lock(this: BrContext, flags: Common): Promise<void> {
  return withProject(
    this,
    flags,
    async (p) => await stateChange(this, flags, await lockSpec(p), "Locked"),
  );
}

/** `br spec unlock` */
export function unlock(this: BrContext, flags: Common): Promise<void> {
  return withProject(
    this,
    flags,
    async (p) => await stateChange(this, flags, await unlockSpec(p), "Unlocked"),
  );
}

/** `br spec show` */
export function show(this: BrContext, flags: Common): Promise<void> {
  return withProject(this, flags, async (project) => {
    const spec = await requireSpec(project);
    const front = spec.front;
    const data = {
      title: spec.title,
      status: front?.status ?? null,
      name: front?.name ?? null,
      industry: front?.industry ?? null,
      use_case: front?.use_case ?? null,
      stack: front?.stack ?? [],
      lock: front?.lock ?? null,
      front_matter: front?.raw ?? null,
      sections: spec.sections.map((s) => ({ title: s.title, line: s.line })),
      features: spec.features.map((f) => ({
        id: f.id,
        name: f.name,
        description: f.description,
        priority: f.priority,
        depends_on: f.depends_on,
        acceptance: f.acceptance,
        checked: f.checked,
        files: f.files,
        notes: f.notes,
        line: f.line,
      })),
      architecture_rules: spec.architecture_rules,
    };
    if (flags.json) return printJson(this, data);
    const c = await colors(this);
    print(
      this,
      `${c.bold(data.title ?? data.name ?? "PROJECT_SPEC.md")} ${
        c.dim(`(${data.status ?? "no front matter"})`)
      }`,
    );
    print(
      this,
      `  industry: ${data.industry ?? "-"}   use case: ${data.use_case ?? "-"}   stack: ${
        data.stack.join(", ") || "-"
      }`,
    );
    print(this, `  sections: ${data.sections.map((s) => s.title).join(", ")}`);
    print(this, `  features (${data.features.length}):`);
    for (const f of data.features) {
      const deps = f.depends_on.length ? ` after ${f.depends_on.join(", ")}` : "";
      const n = f.acceptance.length;
      print(
        this,
        `    ${f.id}  ${f.name} [${f.priority}]${deps}, ${n} ${n === 1 ? "criterion" : "criteria"}`,
      );
    }
  });
}

/** `br context` */
export function context(this: BrContext, flags: Common & { print?: boolean }): Promise<void> {
  return withProject(this, flags, async (project) => {
    if (flags.print) {
      const block = await renderContextBlock(project);
      return flags.json ? printJson(this, { block }) : print(this, block);
    }
    const files = await writeContext(project);
    if (flags.json) return printJson(this, files);
    for (const f of files) print(this, `${f.action.padEnd(9)} ${f.path}`);
  });
}

/** `br handoff <feature>` */
export function handoff(this: BrContext, flags: Common, id: string): Promise<void> {
  return withProject(this, flags, async (project) => {
    const h = await buildHandoff(project, id);
    if (flags.json) return printJson(this, h);
    this.process.stdout.write(renderHandoff(h));
  });
}
