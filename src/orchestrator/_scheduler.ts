/**
 * The scheduler: starts ready tasks on free workers (dependencies merged, file claims free,
 * retry delay over), supervises each agent (heartbeats, timeout, stop), and finishes each
 * task (commit leftovers, checks, merge, feature status). All state lives in the store, so a
 * run killed at any point can be resumed.
 */
import { join } from "node:path";
import type { TaskPayload } from "../core/events.ts";
import { git, gitOk } from "../core/git.ts";
import type { Project } from "../core/project.ts";
import { findFeature, loadFeatures, setFeatureStatus } from "../features/mod.ts";
import { checkBudgets } from "../cost/mod.ts";
import { acceptanceEvidence } from "../quality/mod.ts";
import { agentAttempt } from "./_attempt.ts";
import { type Outcome, STOPPED_NOTE, syncAndCheck } from "./_checks.ts";
import { commitStatus, currentBranch, mergeBranch } from "./_merge.ts";
import { processStartTime } from "./_process.ts";
import { FINAL_TASK_STATES, type Repo, type RunRow, type TaskRow } from "./_repo.ts";
import type { ParallelSettings } from "./_settings.ts";
import { countTasks } from "./_status.ts";
import { commitAgentWork, copyIncluded, ensureWorktree, removeWorktree } from "./_worktree.ts";
import { taskPrompt } from "./_prompt.ts";
import { deleteRemoteBranch, fetchTaskBranch, pushBase, remoteOf } from "./_remote.ts";

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** How often a running driver looks for a stop request. */
const STOP_POLL_MS = 100;

/** Runs one run to its end (used by both `run` and `resume`). */
export class Driver {
  #project: Project;
  #repo: Repo;
  #run: RunRow;
  #s: ParallelSettings;
  #signal?: AbortSignal;
  #stopping = false;
  #active = new Map<string, Promise<void>>();
  #aborts = new Map<string, AbortController>();
  #freeSlots: number[];
  #gitQueue: Promise<unknown> = Promise.resolve();
  #worktreeQueue: Promise<unknown> = Promise.resolve();
  #wake: (() => void) | null = null;
  #continue: Set<string>;
  /** Remote runs: the git remote workers push to (null: agents run here). */
  #remote: string | null;
  /** Remote runs: the base has merges the remote does not have yet. */
  #pushPending = false;
  /** Remote runs: the attempts whose start was reported (`<task>#<attempt>`). */
  #announced = new Set<string>();
  /** Remote runs: the reported attempts taken up for checks and merge (`<task>#<attempt>`). */
  #collected = new Set<string>();

  /** Prepares a driver for `run`. */
  constructor(
    project: Project,
    repo: Repo,
    run: RunRow,
    settings: ParallelSettings,
    signal?: AbortSignal,
    continueTasks: Iterable<string> = [],
  ) {
    this.#continue = new Set(continueTasks);
    this.#project = project;
    this.#repo = repo;
    this.#run = run;
    this.#s = settings;
    this.#signal = signal;
    this.#freeSlots = Array.from({ length: settings.workers }, (_, i) => i + 1);
    this.#remote = remoteOf(run);
  }

  /** Runs git work on the main checkout one job at a time (merges and their checks). */
  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const job = this.#gitQueue.then(fn);
    this.#gitQueue = job.catch(() => {});
    return job;
  }

  /**
   * Adds and removes worktrees one at a time: `git worktree add` reads every worktree's
   * metadata and fails on one half removed. (A queue of its own: merges do not touch it.)
   */
  #worktreeOp<T>(fn: () => Promise<T>): Promise<T> {
    const job = this.#worktreeQueue.then(fn);
    this.#worktreeQueue = job.catch(() => {});
    return job;
  }

  #now(): string {
    return this.#project.clock.now().toISOString();
  }

  #workerId(slot: number): string {
    return `${this.#run.id}/w${slot}`;
  }

  /** Drives the run until every task is final; returns the run's final state. */
  async drive(): Promise<string> {
    const project = this.#project;
    const repo = this.#repo;
    const runId = this.#run.id;
    const t0 = Date.now();
    await repo.updateRun(runId, {
      // The process that drives the run (a new one after "br parallel resume") schedules.
      paused: 0,
      pid: Deno.pid,
      pid_start: processStartTime(Deno.pid),
      heartbeat_at: this.#now(),
      updated_at: this.#now(),
    });
    await git(["worktree", "prune"], { cwd: project.root });
    // A remote run's agents run on the workers (`br parallel worker`), which add their rows.
    for (const slot of this.#remote ? [] : this.#freeSlots) {
      await repo.putWorker({
        id: this.#workerId(slot),
        run_id: runId,
        slot,
        state: "idle",
        task_id: null,
        pid: null,
        started_at: this.#now(),
        heartbeat_at: this.#now(),
      });
    }
    const onAbort = () => this.#requestStop();
    this.#signal?.addEventListener("abort", onAbort);
    const beat = setInterval(() => {
      repo.updateRun(runId, { heartbeat_at: this.#now() }).catch(() => {});
    }, this.#s.heartbeatMs);
    // "br parallel stop" sets the flag in the store: read often, so a stop takes well under
    // a second whatever the heartbeat.
    const stopPoll = setInterval(() => {
      repo.getRun(runId).then((r) => {
        if (r?.stop_requested) this.#requestStop();
      }).catch(() => {});
    }, Math.min(STOP_POLL_MS, this.#s.heartbeatMs));
    try {
      while (true) {
        const tasks = await repo.tasks(runId);
        const open = tasks.filter((t) => !FINAL_TASK_STATES.includes(t.state));
        if (open.length === 0 && this.#active.size === 0) break;
        if (this.#stopping) {
          for (const t of open) {
            if (t.state === "pending") {
              await repo.updateTaskIf(t.id, "pending", {
                state: "cancelled",
                phase: null,
                error: STOPPED_NOTE,
                finished_at: this.#now(),
              });
            } else if (this.#remote && !this.#active.has(t.id)) {
              // A worker's task: its worker sees the change at its next lease renewal and
              // stops its agent. (Read again: a check of it may have ended since the list.)
              const fresh = await repo.getTask(t.id);
              if (fresh?.state === "running" && !this.#active.has(t.id)) {
                await this.#finish(fresh, { state: "cancelled", reason: STOPPED_NOTE });
              }
            }
          }
          if (this.#active.size === 0) break;
        } else {
          if (this.#remote) await this.#watchWorkers(tasks);
          await this.#startReady(tasks);
        }
        await this.#waitForChange(tasks);
      }
    } catch (err) {
      // The run cannot go on (its store is gone, say): its agents are stopped, not waited
      // for ("br parallel resume" runs their tasks again).
      this.#requestStop();
      throw err;
    } finally {
      clearInterval(beat);
      clearInterval(stopPoll);
      this.#signal?.removeEventListener("abort", onAbort);
      await Promise.allSettled([...this.#active.values()]);
    }
    const tasks = await repo.tasks(runId);
    const counts = countTasks(tasks);
    // A task left for review counts against a run that was asked to merge (not --no-merge).
    const unmerged = counts.failed + counts.conflict + counts.skipped +
      (this.#s.noMerge ? 0 : counts.review);
    let state = this.#stopping ? "stopped" : unmerged > 0 ? "failed" : "completed";
    const done = tasks.filter((t) => t.state !== "pending" && t.state !== "skipped");
    if (done.length) {
      await this.#commitStatus(
        `br: parallel run ${runId}\n\n${done.map((t) => `${t.feature}: ${t.state}`).join("\n")}`,
      );
    }
    let error: string | null = null;
    if (this.#remote && done.length) {
      // The merges and the status commit reach the remote, where the workers fetch from.
      error = await pushBase(project.root, this.#remote, this.#run.base_branch!);
      if (error) state = "failed";
    }
    await repo.updateRun(runId, {
      state,
      finished_at: this.#now(),
      updated_at: this.#now(),
      ...(error ? { error } : {}),
    });
    for (
      const slot of this.#remote ? [] : Array.from({ length: this.#s.workers }, (_, i) => i + 1)
    ) {
      await repo.updateWorker(this.#workerId(slot), { state: "done", task_id: null, pid: null });
    }
    project.bus.emit(state === "completed" ? "build.completed" : "build.failed", {
      run_id: runId,
      features: tasks.map((t) => t.feature).sort(),
      counts: counts as unknown as Record<string, number>,
      duration_ms: Date.now() - t0,
    });
    return state;
  }

  #requestStop(): void {
    if (this.#stopping) return;
    this.#stopping = true;
    if (this.#remote) {
      // Workers read it before claiming.
      this.#repo.updateRun(this.#run.id, { stop_requested: 1 }).catch(() => {});
    }
    for (const ac of this.#aborts.values()) ac.abort();
    this.#wake?.();
  }

  async #waitForChange(tasks: TaskRow[]): Promise<void> {
    const now = Date.now();
    const delays = tasks
      .filter((t) => t.state === "pending" && t.next_attempt_at)
      .map((t) => Date.parse(t.next_attempt_at!) - now)
      .filter((d) => d > 0);
    // Remote runs: a lease that runs out puts its task back.
    for (const t of tasks) {
      if (t.state === "running" && t.lease_until) delays.push(Date.parse(t.lease_until) - now);
    }
    const tick = Math.min(1000, this.#s.heartbeatMs, ...delays.map((d) => d + 5));
    await Promise.race([
      ...this.#active.values(),
      sleep(Math.max(20, tick)),
      new Promise<void>((r) => (this.#wake = r)),
    ]);
    this.#wake = null;
  }

  async #startReady(tasks: TaskRow[]): Promise<void> {
    const repo = this.#repo;
    const byFeature = new Map(tasks.map((t) => [t.feature, t]));
    const spent = tasks.reduce((a, t) => a + (t.cost_usd ?? 0), 0);
    for (const task of tasks) {
      if (task.state !== "pending" || this.#active.has(task.id)) continue;
      const deps = (JSON.parse(task.dependencies) as string[])
        .map((d) => byFeature.get(d))
        .filter((d): d is TaskRow => d !== undefined);
      const broken = deps.find((d) => FINAL_TASK_STATES.includes(d.state) && d.state !== "merged");
      if (broken) {
        await this.#finish(task, {
          state: "failed",
          retry: false,
          reason: `dependency "${broken.feature}" ended ${broken.state}, not merged`,
        }, "skipped");
        continue;
      }
      const waitingOn = deps.filter((d) => d.state !== "merged").map((d) => d.feature);
      if (waitingOn.length) {
        await this.#phase(task, `waiting for ${waitingOn.join(", ")}`);
        continue;
      }
      if (task.next_attempt_at && Date.parse(task.next_attempt_at) > Date.now()) continue;
      if (this.#s.maxCostUsd !== null && spent >= this.#s.maxCostUsd) {
        // An offered task is withdrawn first, unless a worker has just claimed it.
        if (this.#remote && !(await repo.updateTaskIf(task.id, "pending", { ready_at: null }))) {
          continue;
        }
        await this.#finish(task, {
          state: "failed",
          retry: false,
          reason: `run budget reached: $${spent.toFixed(4)} of $${this.#s.maxCostUsd}`,
        }, "skipped");
        continue;
      }
      // Offered to the workers already: one of them claims it.
      if (this.#remote && task.ready_at) continue;
      // "br parallel pause" sets the flag in the store; it is read before each task starts.
      if ((await repo.getRun(this.#run.id))?.paused) {
        await this.#phase(task, "paused");
        continue;
      }
      if (!this.#remote && this.#freeSlots.length === 0) {
        await this.#phase(task, "waiting for a worker");
        continue;
      }
      const budget = await checkBudgets(this.#project, { feature: task.feature, quiet: true });
      if (budget.level === "stop") {
        const b = budget.alerts.find((a) => a.level === "stop")!;
        await this.#finish(task, {
          state: "failed",
          retry: false,
          reason: `budget ${b.name} reached: $${b.spent_usd.toFixed(4)} of $${b.limit_usd}`,
        }, "skipped");
        continue;
      }
      if (this.#remote) {
        await this.#offer(task);
        continue;
      }
      const blocker = await repo.claim(task, JSON.parse(task.files), this.#now());
      if (blocker) {
        const other = blocker.task_id.slice(blocker.task_id.lastIndexOf("/") + 1);
        await this.#phase(task, `waiting for files claimed by ${other} (${blocker.pattern})`);
        continue;
      }
      const slot = this.#freeSlots.shift()!;
      const ac = new AbortController();
      this.#aborts.set(task.id, ac);
      const p = this.#runTask(task, slot, ac.signal)
        .catch((err) => this.#failed(task, err))
        .finally(() => {
          this.#active.delete(task.id);
          this.#aborts.delete(task.id);
          this.#freeSlots.push(slot);
          this.#freeSlots.sort((a, b) => a - b);
        });
      this.#active.set(task.id, p);
    }
  }

  /**
   * Remote runs: offers a ready task to the workers, with the base commit to branch from and
   * the prompt rendered here (a worker's clone may be behind). A base with merges the remote
   * lacks is pushed first.
   */
  async #offer(task: TaskRow): Promise<void> {
    const root = this.#project.root;
    const baseBranch = this.#run.base_branch!;
    if (this.#pushPending) {
      const error = await pushBase(root, this.#remote!, baseBranch);
      this.#pushPending = error !== null;
      if (error) {
        await this.#phase(task, `waiting for the base to reach ${this.#remote}: ${error}`);
        return;
      }
    }
    const base = await gitOk(["rev-parse", baseBranch], { cwd: root });
    const prompt = await taskPrompt(this.#project, task.feature, task.branch);
    const now = this.#now();
    const phase = "ready, waiting for a worker";
    if (
      await this.#repo.updateTaskIf(task.id, "pending", {
        ready_at: now,
        prompt,
        base_commit: base,
        phase,
      })
    ) {
      Object.assign(task, { ready_at: now, base_commit: base, phase });
    }
  }

  /**
   * Remote runs: what the workers did since the last look. Tasks whose worker's lease ran out
   * go back to the workers (or end, without attempts left); a new claim is announced (and its
   * feature marked in progress); a reported task is checked and merged here.
   */
  async #watchWorkers(tasks: TaskRow[]): Promise<void> {
    const project = this.#project;
    const repo = this.#repo;
    const expired = await repo.expireLeases(this.#run.id, this.#now(), {
      skipLocked: false,
      requeueOnly: false,
    });
    const gone = new Set<string>();
    for (const t of expired.requeued) {
      gone.add(t.id);
      const meta = { feature: t.feature, task: t.id };
      project.bus.emit("worker.lost", {
        worker: t.worker ?? "unknown",
        task: t.id,
        pid: t.agent_pid ?? 0,
      }, meta);
      project.bus.emit(
        "task.retried",
        this.#payload(t, {
          worker: t.worker ?? undefined,
          error: `worker ${t.worker} lost: its lease ran out`,
        }),
        meta,
      );
    }
    for (const t of expired.exhausted) {
      gone.add(t.id);
      // The machine's fault, not the feature's: the feature goes back to planned.
      await this.#finish(t, { state: "failed", retry: false, environment: true, reason: t.error! });
    }
    for (const task of tasks) {
      if (task.state !== "running" || gone.has(task.id) || this.#active.has(task.id)) continue;
      const key = `${task.id}#${task.attempt}`;
      if (task.worker && !this.#announced.has(key)) {
        this.#announced.add(key);
        project.bus.emit("task.started", this.#payload(task, { worker: task.worker }), {
          feature: task.feature,
          task: task.id,
        });
        const feature = findFeature(await loadFeatures(project), task.feature);
        if (feature.status === "planned") await this.#setStatus(task.feature, "in_progress");
      }
      if (task.report && !this.#collected.has(key)) {
        // Read again: the list is from before the last await, and a check of this attempt may
        // have ended meanwhile.
        const fresh = await repo.getTask(task.id);
        if (
          fresh?.state === "running" && fresh.report && fresh.attempt === task.attempt &&
          !this.#active.has(task.id)
        ) {
          this.#collected.add(key);
          this.#collect(fresh);
        }
      }
    }
  }

  /** Remote runs: fetches a reported task's branch, checks and merges it (or ends the task). */
  #collect(task: TaskRow): void {
    const project = this.#project;
    const ac = new AbortController();
    this.#aborts.set(task.id, ac);
    const p = (async () => {
      const report = JSON.parse(task.report!) as Outcome;
      let outcome: Outcome;
      if (task.merge_commit) {
        // Merged just before br died: nothing left but recording it.
        await this.#setStatus(task.feature, this.#s.onSuccess);
        outcome = { state: "merged", commit: task.merge_commit };
      } else if (report.state === "agent_done") {
        // The checks log here: the agent's log is on the worker's machine.
        const dir = join(project.paths.context, "parallel", this.#run.id, task.feature);
        await Deno.mkdir(dir, { recursive: true });
        task.log = join(dir, `checks-${task.attempt}.log`);
        await Deno.writeTextFile(
          task.log,
          `br: ${task.id} attempt ${task.attempt} by worker ${task.worker}: checks of ${task.pushed_commit}\n`,
        );
        await this.#repo.updateTask(task.id, { phase: "fetch", log: task.log });
        const fetched = await this.#worktreeOp(() =>
          fetchTaskBranch(project, this.#remote!, task, this.#s.include)
        );
        outcome = fetched ?? await this.#afterAgent(task, ac.signal);
      } else outcome = report;
      await this.#finish(task, outcome);
    })()
      .catch((err) => this.#failed(task, err))
      .finally(() => {
        this.#active.delete(task.id);
        this.#aborts.delete(task.id);
      });
    this.#active.set(task.id, p);
  }

  async #phase(task: TaskRow, phase: string): Promise<void> {
    if (task.phase !== phase) {
      task.phase = phase;
      await this.#repo.updateTask(task.id, { phase });
    }
  }

  #payload(task: TaskRow, extra: Partial<TaskPayload> = {}): TaskPayload {
    return { task_id: task.id, feature: task.feature, attempt: task.attempt, ...extra };
  }

  async #runTask(task: TaskRow, slot: number, signal: AbortSignal): Promise<void> {
    const project = this.#project;
    const repo = this.#repo;
    const s = this.#s;
    const worker = this.#workerId(slot);
    const continuing = this.#continue.delete(task.id);
    if (!continuing) task.attempt += 1;
    task.worker = worker;
    const startedAt = this.#now();
    await repo.updateTask(task.id, {
      state: "running",
      phase: continuing ? "checks" : "worktree",
      attempt: task.attempt,
      worker,
      started_at: startedAt,
      finished_at: null,
      next_attempt_at: null,
      error: null,
    });
    task.started_at = startedAt;
    await repo.updateWorker(worker, { state: "busy", task_id: task.id, heartbeat_at: startedAt });
    project.bus.emit("task.started", this.#payload(task, { worker }), {
      feature: task.feature,
      task: task.id,
    });
    if (continuing && task.merge_commit) {
      // Merged just before br died: nothing left but recording it.
      await this.#setStatus(task.feature, s.onSuccess);
      return this.#finish(task, { state: "merged", commit: task.merge_commit });
    }
    const file = await loadFeatures(project);
    const feature = findFeature(file, task.feature);
    if (feature.status === "planned") {
      await setFeatureStatus(project, feature.id, "in_progress");
    }
    const baseCommit = await gitOk(["rev-parse", this.#run.base_branch!], { cwd: project.root });
    const created = await this.#worktreeOp(() =>
      ensureWorktree(project, task.worktree, task.branch, baseCommit)
    );
    if (created === "created") {
      await copyIncluded(project.root, task.worktree, s.include);
      task.base_commit = baseCommit;
      await repo.updateTask(task.id, { base_commit: baseCommit });
    }
    let outcome: Outcome;
    if (continuing) {
      outcome = await this.#afterAgent(task, signal);
    } else {
      outcome = await agentAttempt({
        project,
        repo,
        settings: s,
        runId: this.#run.id,
        task,
        worker,
        signal,
      });
      if (outcome.state === "agent_done") outcome = await this.#afterAgent(task, signal);
    }
    await this.#finish(task, outcome);
  }

  /** Commit leftovers, run the checks, merge. */
  async #afterAgent(task: TaskRow, signal: AbortSignal): Promise<Outcome> {
    const project = this.#project;
    const repo = this.#repo;
    const s = this.#s;
    await this.#phase(task, "checks");
    await commitAgentWork(task.worktree, s.profile.name, task.feature, this.#run.id, project.root);
    const base = task.base_commit ?? await gitOk(["merge-base", this.#run.base_branch!, "HEAD"], {
      cwd: task.worktree,
    });
    const ahead = Number(
      await gitOk(["rev-list", "--count", `${base}..HEAD`], {
        cwd: task.worktree,
      }),
    );
    if (ahead === 0) {
      return { state: "failed", retry: false, reason: "the agent finished without any change" };
    }
    // Bring the base in first: the checks then see what the merge will produce (other
    // features merged meanwhile included), and a conflict shows up before any gate runs.
    const checked = await syncAndCheck(project, s, this.#run.base_branch!, task, true, signal);
    if ("state" in checked) return checked;
    if (signal.aborted) return { state: "cancelled", reason: STOPPED_NOTE };
    let notes = checked.notes;
    // The test command ran only in the first check: it stays in the list after a re-check.
    let gates = checked.gates;
    await repo.updateTask(task.id, { gates: JSON.stringify(gates) });
    const evidence: string[] = [];
    if (!s.noMerge && s.onSuccess === "complete") {
      // Merged as complete, the feature must pass the evidence rule the gaps gate applies on
      // the base; otherwise every later run would trip on it.
      const feature = findFeature(await loadFeatures(project), task.feature);
      const ev = await acceptanceEvidence(project, feature, { cwd: task.worktree });
      if (ev.criteria === 0) {
        evidence.push(
          `warning: feature "${feature.id}" has no acceptance criteria, so nothing shows it works (add some: br feature update ${feature.id} --acceptance "...")`,
        );
      } else if (ev.problem) {
        return {
          state: "review",
          reason: `not merged as complete: feature "${feature.id}": ${ev.problem}`,
        };
      }
    }
    await this.#phase(task, "merge");
    if (s.noMerge) return { state: "review", reason: null };
    const outcome = await this.#serial(async (): Promise<Outcome> => {
      // The base moved while the checks ran: check the new merge result again (the gates,
      // not the test command) before it lands.
      const now = await gitOk(["rev-parse", this.#run.base_branch!], { cwd: project.root });
      if (now !== checked.tip) {
        const again = await syncAndCheck(project, s, this.#run.base_branch!, task, false);
        if ("state" in again) return again;
        notes = again.notes;
        gates = [...again.gates, ...gates.filter((g) => !again.gates.includes(g))];
        await repo.updateTask(task.id, { gates: JSON.stringify(gates) });
      }
      const merged = await mergeBranch(
        project.root,
        this.#run.base_branch!,
        task.branch,
        s.merge,
        await this.#mergeMessage(task, gates),
        { run: task.run_id, task: task.id },
      );
      if (merged.kind === "conflict") {
        return { state: "conflict", files: merged.files, reason: merged.reason };
      }
      if (merged.kind === "review") return { state: "review", reason: merged.reason };
      // Recorded before anything else, so a crash from here on never merges twice.
      await repo.updateTask(task.id, { merge_commit: merged.commit });
      await this.#setStatus(task.feature, s.onSuccess);
      if (this.#remote) {
        // Before any dependent is offered: its worker fetches the base from the remote.
        this.#pushPending = !!(await pushBase(project.root, this.#remote, this.#run.base_branch!));
      }
      const note = [...evidence, ...notes].join(" | ");
      return { state: "merged", commit: merged.commit, note: note || null };
    });
    if (outcome.state === "merged" && s.cleanup) {
      // Forced: the work is merged, and anything untracked was left by the test command.
      await this.#worktreeOp(async () => {
        const removed = await removeWorktree(project.root, task.worktree, true);
        if (removed.removed) {
          await gitOk(["branch", "-d", task.branch], { cwd: project.root }).catch(() => {});
        }
      });
      if (this.#remote) await deleteRemoteBranch(project.root, this.#remote, task.branch);
    }
    return outcome;
  }

  /**
   * The merge commit's message: what a reviewer needs to follow the merge (the feature, the
   * agent, attempts, checks passed, tokens and cost), as trailers under the subject.
   */
  async #mergeMessage(task: TaskRow, gates: string[]): Promise<string> {
    const row = (await this.#repo.getTask(task.id)) ?? task;
    const n = (v: number) => v.toLocaleString("en-US");
    return [
      `br: merge ${task.feature} (${task.name})`,
      "",
      `Feature: ${task.feature}`,
      `Agent: ${this.#s.profile.name}${this.#s.profile.model ? ` (${this.#s.profile.model})` : ""}`,
      `Attempts: ${row.attempt} of ${row.max_attempts}`,
      `Gates-Passed: ${gates.join(", ") || "none configured"}`,
      `Tokens: ${n(row.input_tokens)} input, ${n(row.output_tokens)} output, ${
        n(row.cache_creation_tokens)
      } cache creation, ${n(row.cache_read_tokens)} cache read`,
      `Cost: ${row.cost_usd === null ? "not reported" : `$${row.cost_usd.toFixed(4)}`}`,
      `Run: ${this.#run.id}`,
    ].join("\n");
  }

  /** Records the outcome: task row, claims, feature status, events, retries, cleanup. */
  /** Ends `task` as failed, without a retry, for an error its run threw. */
  async #failed(task: TaskRow, err: unknown): Promise<void> {
    await this.#finish(task, {
      state: "failed",
      retry: false,
      reason: (err as Error).message ?? String(err),
    }).catch(() => {});
  }

  async #finish(task: TaskRow, outcome: Outcome, as?: "skipped"): Promise<void> {
    const project = this.#project;
    const repo = this.#repo;
    const s = this.#s;
    const now = this.#now();
    const duration = task.started_at ? Date.now() - Date.parse(task.started_at) : null;
    await repo.release(task.id);
    if (task.worker) {
      await repo.updateWorker(task.worker, { state: "idle", task_id: null, pid: null });
    }
    const meta = { feature: task.feature, task: task.id };
    if (outcome.state === "failed" && outcome.retry && !as && task.attempt < task.max_attempts) {
      const delay = s.backoffMs * 2 ** (task.attempt - 1);
      await repo.updateTask(task.id, {
        state: "pending",
        phase: `retry in ${Math.round(delay / 1000)} s`,
        error: outcome.reason,
        next_attempt_at: new Date(Date.now() + delay).toISOString(),
        // Remote runs: claimable again (still offered) once the delay is over.
        ...(this.#remote ? { worker: null, lease_until: null, report: null } : {}),
      });
      project.bus.emit(
        "task.retried",
        this.#payload(task, {
          worker: task.worker ?? undefined,
          error: outcome.reason,
          duration_ms: duration ?? undefined,
        }),
        meta,
      );
      return;
    }
    const state = as ?? outcome.state;
    const reason = "reason" in outcome
      ? outcome.reason
      : outcome.state === "merged"
      ? outcome.note ?? null
      : null;
    await repo.updateTask(task.id, {
      state,
      phase: null,
      finished_at: now,
      duration_ms: duration,
      error: reason,
      conflict_files: outcome.state === "conflict" ? JSON.stringify(outcome.files) : null,
      merge_commit: outcome.state === "merged" ? outcome.commit : null,
      ...(this.#remote ? { lease_until: null } : {}),
    });
    if (outcome.state === "merged") {
      // Status, status commit and cleanup ran with the merge.
    } else if (outcome.state === "review") {
      await this.#setStatus(task.feature, "testing");
    } else if (
      outcome.state === "cancelled" || (outcome.state === "failed" && outcome.environment)
    ) {
      await this.#setStatus(task.feature, "planned");
    } else if (!as) {
      await this.#setStatus(task.feature, "blocked", `br parallel: ${reason}`);
    }
    const payload = this.#payload(task, {
      worker: task.worker ?? undefined,
      duration_ms: duration ?? undefined,
      ...(reason ? { error: reason } : {}),
    });
    if (state === "merged" || state === "review") project.bus.emit("task.completed", payload, meta);
    else project.bus.emit("task.failed", payload, meta);
  }

  /** Commits features.json on the base, when the main checkout is on the base branch. */
  async #commitStatus(message: string): Promise<void> {
    if (!this.#s.commitStatus) return;
    try {
      if (await currentBranch(this.#project.root) !== this.#run.base_branch) return;
      await commitStatus(this.#project.root, message);
    } catch {
      // The status is in features.json either way; the commit is a convenience.
    }
  }

  async #setStatus(feature: string, status: string, reason?: string): Promise<void> {
    try {
      const file = await loadFeatures(this.#project);
      const f = findFeature(file, feature);
      if (f.status === status) return;
      await setFeatureStatus(this.#project, feature, status, { reason, unblock: true });
    } catch {
      // A governance veto or a removed feature must not lose the task's own result.
    }
  }
}
