/**
 * The interactive side of `br spec wizard` (only loaded when stdin is a terminal).
 */
import * as p from "@clack/prompts";
import process from "node:process";
import { BrError } from "../../core/errors.ts";
import type { Project } from "../../core/project.ts";
import { PRIORITIES, slugify } from "../../features/mod.ts";
import {
  detectIndustry,
  detectionThreshold,
  detectUseCase,
  INDUSTRIES,
  type KindDetection,
  USE_CASES,
  type WizardAnswers,
  type WizardFeature,
} from "../../spec/mod.ts";

// With --json the prompts go to stderr, so that stdout holds the JSON alone.
let io: { output?: typeof process.stderr } = {};

function check<T>(value: T): Exclude<T, symbol> {
  if (p.isCancel(value)) {
    p.cancel("Cancelled; nothing was written.", io);
    throw new BrError("interrupted", "The wizard was cancelled", { hint: "nothing was written" });
  }
  return value as Exclude<T, symbol>;
}

const required = (what: string) => (v: string | undefined) =>
  v && v.trim() ? undefined : `${what} is required`;
const split = (v: string, sep = ",") => v.split(sep).map((s) => s.trim()).filter(Boolean);

/**
 * The options of an industry or use-case choice: the detected candidates first (with their
 * scores), then the other names, then `unknown`; the initial one is the given answer, else
 * the detected value.
 */
export function pickOptions(
  names: readonly string[],
  given: string | undefined,
  detected: KindDetection,
): { options: { value: string; label: string; hint?: string }[]; initialValue: string } {
  const scored = detected.candidates.filter((c) => names.includes(c.name));
  const order = [
    ...scored.map((c) => c.name),
    ...names.filter((n) => !scored.some((c) => c.name === n)),
    "unknown",
  ];
  return {
    options: order.map((n) => {
      const c = scored.find((x) => x.name === n);
      return { value: n, label: n, hint: c ? `score ${c.score.toFixed(2)}` : undefined };
    }),
    initialValue: given ?? detected.value,
  };
}

async function pick(
  label: string,
  names: readonly string[],
  given: string | undefined,
  detected: KindDetection,
): Promise<string> {
  const best = detected.candidates.map((c) => `${c.name} ${c.score.toFixed(2)}`).join(", ");
  const hint = !best
    ? "not detected"
    : detected.value === "unknown"
    ? `not sure: ${best}`
    : `detected ${detected.value}: ${best}`;
  return check(
    await p.select({
      ...io,
      message: `${label} (${hint})`,
      ...pickOptions(names, given, detected),
    }),
  );
}

/** Asks for every answer, with the given ones as defaults. */
export async function promptAnswers(
  project: Project,
  given: WizardAnswers,
  options: { toStderr?: boolean } = {},
): Promise<WizardAnswers> {
  io = options.toStderr ? { output: process.stderr } : {};
  const threshold = await detectionThreshold(project);
  p.intro("br spec wizard: describe what you are building", io);
  // The default is offered, not typed in: Enter accepts it, typing replaces it.
  const suggested = given.name?.trim() || project.root.split(/[\\/]/).pop() || "";
  const name = check(
    await p.text({
      ...io,
      message: "Project name",
      placeholder: suggested,
      defaultValue: suggested,
      validate: (v) => v?.trim() || suggested ? undefined : "A name is required",
    }),
  ).trim() || suggested;
  const description = check(
    await p.text({
      ...io,
      message: "What are you building? (one or two sentences)",
      initialValue: given.description ?? "",
      validate: required("A description"),
    }),
  );
  const industry = await pick(
    "Industry",
    INDUSTRIES,
    given.industry,
    detectIndustry(description, threshold),
  );
  const useCase = await pick(
    "Use case",
    USE_CASES,
    given.use_case,
    detectUseCase(description, threshold),
  );
  const users = split(
    check(
      await p.text({
        ...io,
        message: "Who uses it? (comma-separated, may be empty)",
        initialValue: (given.users ?? []).join(", "),
      }),
    ) ?? "",
  );
  const stack = split(
    check(
      await p.text({
        ...io,
        message: "Stack (comma-separated, may be empty)",
        initialValue: (given.stack ?? []).join(", "),
      }),
    ) ?? "",
  );
  let features: WizardFeature[] = given.features ?? [];
  if (features.length) {
    const keep = check(
      await p.confirm({ ...io, message: `Keep the ${features.length} feature(s) given?` }),
    );
    if (!keep) features = [];
  }
  while (true) {
    const fname = check(
      await p.text({
        ...io,
        message: features.length
          ? `Feature ${features.length + 1} name (leave empty to finish)`
          : "First feature name",
        validate: features.length ? undefined : required("At least one feature"),
      }),
    )?.trim() ?? "";
    if (!fname) break;
    const description =
      check(await p.text({ ...io, message: `What does "${fname}" do? (optional)` })) ??
        "";
    const priority = check(
      await p.select({
        ...io,
        message: "Priority",
        options: PRIORITIES.map((v) => ({ value: v as string, label: v })),
        initialValue: "medium",
      }),
    );
    const acceptance = split(
      check(
        await p.text({
          ...io,
          message: "Acceptance criteria (separate with ';')",
          validate: required("At least one criterion"),
        }),
      ),
      ";",
    );
    let depends_on: string[] = [];
    if (features.length) {
      depends_on = check(
        await p.multiselect({
          ...io,
          message: "Depends on (space to pick, enter to go on)",
          options: features.map((f) => ({ value: f.id ?? slugify(f.name), label: f.name })),
          required: false,
        }),
      );
    }
    features.push({ name: fname, description, priority, acceptance, depends_on });
  }
  p.outro(`Writing PROJECT_SPEC.md with ${features.length} feature(s)`, io);
  return { name, description, industry, use_case: useCase, users, stack, features };
}
