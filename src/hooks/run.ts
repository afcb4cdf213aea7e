// The hook runners. The pre-commit path must stay fast: it never loads the analyzers or their
// parsers (src/quality/mod.ts imports them only when they are called), and the feature registry
// only for a commit that stages features.json.
import { resolve, sep } from "../core/path.ts";
import { BrError } from "../core/errors.ts";
import { readTextOrNull, writeIfChanged } from "../core/fs.ts";
import { git } from "../core/git.ts";
import { StagedIndex } from "../core/git_index.ts";
import type { Project } from "../core/project.ts";
import { commitMessageProblem, loadGovernance, verifyGovernance } from "../quality/governance.ts";
import { type Governance, preCommitGates } from "../quality/governance_schema.ts";
import { checkSpecLock } from "../quality/spec_lock.ts";
import { HOOK_NAMES } from "./names.ts";
import { preloadSecurity, stagedSecurityCheck } from "./_security.ts";

/** One check a hook made. */
export interface HookCheck {
  /** Check name (features, governance, security, spec, branch, commit, or a gate). */
  name: string;
  /** True when it passed (a warning passes). */
  passed: boolean;
  /** True when it failed under `policy: warn` (reported, not blocking). */
  warning: boolean;
  /** What it found, one line each (secrets only masked). */
  messages: string[];
}

/** The result of {@link runHook}. */
export interface HookRun {
  /** Hook name. */
  hook: string;
  /** False blocks the git operation. */
  passed: boolean;
  /** The checks in order. */
  checks: HookCheck[];
  /** Files the hook added to the commit (STATUS.md). */
  staged: string[];
}

/** Input of {@link runHook}. */
export interface HookInput {
  /** Arguments git passed to the hook. */
  args?: string[];
  /** Standard input git passed (pre-push refs). */
  stdin?: string;
  /** Folder git ran the hook in (default: the project root). */
  cwd?: string;
}

const FEATURES = ".buildrunner/features.json";
const GOV = ".buildrunner/governance.yaml";
const GOV_SUM = ".buildrunner/governance.sha256";
const SPEC = "PROJECT_SPEC.md";
const STATUS = "STATUS.md";

function check(name: string, messages: string[], policyWarn = false): HookCheck {
  const failed = messages.length > 0;
  return { name, passed: !failed || policyWarn, warning: failed && policyWarn, messages };
}

/**
 * The verified governance (null without one), or why it cannot be obeyed (an edit that
 * "br governance update" did not record, a malformed file): then no rule of it applies and
 * the hook fails.
 */
async function governanceOrProblem(
  project: Project,
): Promise<{ gov: Governance | null; problem: string[] | null }> {
  try {
    return { gov: await loadGovernance(project), problem: null };
  } catch (err) {
    const hint = err instanceof BrError && err.hint ? [`hint: ${err.hint}`] : [];
    return { gov: null, problem: [(err as Error).message, ...hint] };
  }
}

/**
 * Runs one git hook for the project: pre-commit (staged features.json valid, STATUS.md
 * regenerated and staged with it, governance checksum, secrets and SQL in staged files,
 * spec lock, branch rule), commit-msg (the governance commit rule), post-commit (STATUS.md
 * regenerated in the working tree when it is out of date with features.json, never added to
 * the commit) or pre-push (the gates of `gates.pre_push`: quality threshold, no secrets, no
 * high gaps by default). Only a
 * governance.yaml that matches its recorded checksum is obeyed; otherwise every hook fails
 * its governance check, and pre-commit still runs its integrity checks.
 *
 * @throws {BrError} `usage` for an unknown hook.
 */
export async function runHook(
  project: Project,
  hook: string,
  input: HookInput = {},
): Promise<HookRun> {
  if (!(HOOK_NAMES as readonly string[]).includes(hook)) {
    throw new BrError("usage", `Unknown hook "${hook}"`, {
      hint: `hooks: ${HOOK_NAMES.join(", ")}`,
    });
  }
  if (hook === "post-commit") {
    // After the commit: nothing to block, no governance rule applies.
    const run: HookRun = { hook, passed: true, checks: [], staged: [] };
    await postCommit(project, run);
    return run;
  }
  let index: StagedIndex | null = null;
  if (hook === "pre-commit") {
    preloadSecurity();
    // git reads the index while governance.yaml is read.
    index = new StagedIndex(project.root);
  }
  const { gov, problem } = await governanceOrProblem(project);
  const warnOnly = gov?.policy === "warn";
  const rulesOff = gov?.policy === "off";
  const run: HookRun = { hook, passed: true, checks: [], staged: [] };
  if (index) {
    try {
      await preCommit(project, gov, problem, index, run, warnOnly, rulesOff);
    } finally {
      await index.close();
    }
  } else if (hook === "commit-msg") {
    if (problem) run.checks.push(check("governance", problem));
    else if (gov && !rulesOff) {
      const file = input.args?.[0];
      if (!file) {
        throw new BrError("usage", "commit-msg needs the message file", {
          hint: "git passes it as the first argument",
        });
      }
      const text = (await readTextOrNull(resolve(input.cwd ?? project.root, file))) ?? "";
      const p = commitMessageProblem(gov, text);
      run.checks.push(check("commit", p ? [p] : [], warnOnly));
    }
  } else if (problem) run.checks.push(check("governance", problem));
  else await prePush(project, gov, input, run);
  run.passed = run.checks.every((c) => c.passed);
  // Every check is a gate run: blocked commits count too (the gates of pre-push emitted theirs).
  for (const c of run.checks) {
    if (emitted.has(c)) continue;
    const problems = c.messages.filter((m) => !m.startsWith("hint: ")).length;
    project.bus.emit(c.passed ? "gate.passed" : "gate.failed", {
      gate: c.name,
      counts: { problems: c.passed && !c.warning ? 0 : problems, warnings: c.warning ? 1 : 0 },
      hook,
    });
  }
  return run;
}

/** Checks whose gate event was already emitted (by runGates, or as they ran). */
const emitted = new WeakSet<HookCheck>();

async function preCommit(
  project: Project,
  gov: Governance | null,
  govProblem: string[] | null,
  index: StagedIndex,
  run: HookRun,
  warnOnly: boolean,
  rulesOff: boolean,
): Promise<void> {
  const root = project.root;
  // The integrity checks (features.json, the governance checksum, secrets) always run; the
  // list decides the spec lock only.
  const specGate = preCommitGates(gov).includes("spec");
  const stagedText = (rel: string) => index.textUnder(root, rel).catch(() => null);
  const staged = new Set(await index.namesUnder(root));
  const checkFeatures = staged.has(FEATURES);
  // Asked before the scan asks for its files, so that git answers them first: the staged
  // features.json, and STATUS.md as the index holds it.
  const features = checkFeatures ? stagedText(FEATURES) : null;
  const statusInIndex = checkFeatures ? stagedText(STATUS) : null;
  const featureCode = checkFeatures ? import("./_features.ts") : null;
  featureCode?.catch(() => {}); // awaited below, where a failure is reported
  // The secret scan reads the index too: it runs while the other checks do.
  const security = stagedSecurityCheck(project, index);
  security.catch(() => {}); // awaited below; keeps an early failure from going unhandled
  let status: string | null = null;

  if (checkFeatures) {
    const text = await features;
    const messages: string[] = [];
    try {
      status = await (await featureCode!).stagedStatus(text ?? "", FEATURES);
    } catch (err) {
      messages.push((err as Error).message);
      if (err instanceof BrError && err.hint) messages.push(`hint: ${err.hint}`);
    }
    run.checks.push(check("features", messages));
  }
  // The rules in force were verified when loaded; a staged governance.yaml must match too.
  const govMessages: string[] = govProblem ?? [];
  if (!govProblem && (staged.has(GOV) || staged.has(GOV_SUM))) {
    const [yaml, sum] = await Promise.all([stagedText(GOV), stagedText(GOV_SUM)]);
    govMessages.push(...(await verifyGovernance(project, { yaml, sum })).problems);
  }
  run.checks.push(check("governance", govMessages));
  if (specGate && staged.has(SPEC)) {
    const s = await checkSpecLock(project, await stagedText(SPEC));
    run.checks.push(check("spec", s.problem ? [s.problem] : []));
  }
  if (gov && !rulesOff && gov.branches.allowed.length > 0) {
    const [res, { globToRegExp }] = await Promise.all([
      git(["symbolic-ref", "--quiet", "--short", "HEAD"], { cwd: root }),
      import("../core/glob.ts"),
    ]);
    const branch = res.stdout.trim();
    const ok = res.code !== 0 || gov.branches.allowed.some((g) => globToRegExp(g).test(branch));
    run.checks.push(check(
      "branch",
      ok
        ? []
        : [`commits on "${branch}" are not allowed (allowed: ${gov.branches.allowed.join(", ")})`],
      warnOnly,
    ));
  }
  // The commit carries a STATUS.md generated from the features.json it commits (staged after
  // the scan, so the index the scan reads does not change under it).
  if (status !== null) {
    run.checks.push(check("security", await security));
    await writeIfChanged(project.paths.status, status);
    if ((await statusInIndex) !== status) {
      const add = await git(["add", "--", STATUS], { cwd: root });
      if (add.code !== 0) {
        run.checks.push(check("status", [`cannot stage STATUS.md: ${add.stderr.trim()}`]));
      } else run.staged.push(STATUS);
    }
  } else run.checks.push(check("security", await security));
}

/**
 * Post-commit: a STATUS.md out of date with features.json (a commit made with
 * `--no-verify`, or by a hook manager that does not run br's pre-commit) is written again in
 * the working tree and reported; the commit is never amended. Nothing is written while git
 * replays commits (rebase, cherry-pick, revert): a file changed between two picks would stop
 * the next one.
 */
async function postCommit(project: Project, run: HookRun): Promise<void> {
  const root = project.root;
  const paths = await git([
    "rev-parse",
    "--git-path",
    "rebase-merge",
    "--git-path",
    "rebase-apply",
    "--git-path",
    "CHERRY_PICK_HEAD",
    "--git-path",
    "REVERT_HEAD",
    "--git-path",
    "sequencer",
  ], { cwd: root });
  if (paths.code !== 0) return;
  for (const p of paths.stdout.split("\n").filter(Boolean)) {
    try {
      await Deno.lstat(resolve(root, p));
      return; // git is replaying commits
    } catch {
      // Not in progress.
    }
  }
  const { writeStatus } = await import("../features/status.ts");
  const messages: string[] = [];
  try {
    const r = await writeStatus(project);
    if (r.changed) {
      const head = (await git(["rev-parse", "--short", "HEAD"], { cwd: root })).stdout.trim();
      messages.push(
        `${r.path} was out of date with features.json: regenerated it in the working tree; ` +
          `it is not part of commit ${head} (commit it: git add ${r.path})`,
      );
    }
  } catch (err) {
    messages.push(`cannot regenerate STATUS.md: ${(err as Error).message}`);
    if (err instanceof BrError && err.hint) messages.push(`hint: ${err.hint}`);
  }
  // Reported, never blocking: the commit is made.
  if (messages.length > 0) run.checks.push(check("status", messages, true));
}

async function prePush(
  project: Project,
  gov: Governance | null,
  input: HookInput,
  run: HookRun,
): Promise<void> {
  const refs = (input.stdin ?? "").split("\n").map((l) => l.trim().split(/\s+/)).filter((p) =>
    p.length >= 4
  );
  if (refs.length > 0 && refs.every((r) => /^0+$/.test(r[1]))) return; // only deletions
  const gates = gov?.gates.pre_push ?? ["quality", "security", "gaps"];
  // In a task worktree under .buildrunner/worktrees/ the project is the main checkout but
  // the code being pushed is the worktree's.
  const cwd = input.cwd && resolve(input.cwd).startsWith(project.paths.worktrees + sep)
    ? input.cwd
    : project.root;
  if (gates.length > 0) {
    const { runGates } = await import("../quality/mod.ts");
    const report = await runGates(project, { gates, cwd });
    for (const g of report.gates) {
      const c = {
        name: g.gate,
        passed: g.passed,
        warning: false,
        messages: g.passed ? [] : [g.summary, ...capped(g.items ?? [])],
      };
      emitted.add(c);
      run.checks.push(c);
    }
  }
  const require = gov?.gates.pre_push_require;
  if (require?.level === "complete") {
    const start = performance.now();
    const { incompleteFeatures, pushedRefs } = await import("./_complete.ts");
    const problems = await incompleteFeatures(
      cwd,
      pushedRefs(input.stdin ?? ""),
      input.args?.[0] ?? null,
      require,
    );
    const c = check("complete", problems.length ? [problems[0], ...capped(problems.slice(1))] : []);
    emitted.add(c);
    run.checks.push(c);
    project.bus.emit(problems.length ? "gate.failed" : "gate.passed", {
      gate: "complete",
      counts: { incomplete: Math.max(0, problems.length - 1) },
      duration_ms: Math.round(performance.now() - start),
      hook: "pre-push",
    });
  }
}

/** The first items of a list, then how many more there are. */
function capped(items: string[], max = 10): string[] {
  return items.length <= max
    ? items
    : [...items.slice(0, max - 1), `and ${items.length - max + 1} more`];
}
