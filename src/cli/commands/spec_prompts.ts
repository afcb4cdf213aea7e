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

async function pick(
  label: string,
  names: readonly string[],
  given: string | undefined,
  detected: KindDetection,
): Promise<string> {
  const hint = detected.value === "unknown"
    ? `not detected (confidence ${detected.confidence})`
    : `detected ${detected.value}, confidence ${detected.confidence}: ${
      detected.matched.join(", ")
    }`;
  return check(
    await p.select({
      ...io,
      message: `${label} (${hint})`,
      options: [...names, "unknown"].map((n) => ({
        value: n,
        label: n,
        hint: n === detected.value ? "detected" : undefined,
      })),
      initialValue: given ?? detected.value,
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
  const name = check(
    await p.text({
      ...io,
      message: "Project name",
      initialValue: given.name ?? project.root.split(/[\\/]/).pop() ?? "",
      validate: required("A name"),
    }),
  );
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
