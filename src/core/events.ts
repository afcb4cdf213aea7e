import { BrError } from "./errors.ts";

/** A change of one field: the value before and after. */
export interface FieldChange {
  /** Value before the change. */
  from: unknown;
  /** Value after the change. */
  to: unknown;
}

/** Payload of each event type of the catalog (docs/telemetry.md, "Event catalog and schemas"). */
export interface EventPayloads {
  /** Payload of `feature.added`. */
  "feature.added": { id: string; fields: Record<string, unknown> };
  /** Payload of `feature.updated`. */
  "feature.updated": { id: string; changes: Record<string, FieldChange> };
  /** Payload of `feature.removed`. */
  "feature.removed": { id: string; fields: Record<string, unknown> };
  /** Payload of `feature.started`. */
  "feature.started": FeatureTransition;
  /** Payload of `feature.completed`. */
  "feature.completed": FeatureTransition;
  /** Payload of `feature.blocked`. */
  "feature.blocked": FeatureTransition;
  /** Payload of `feature.unblocked`. */
  "feature.unblocked": FeatureTransition;
  /** Payload of `status.generated`. */
  "status.generated": { path: string; completion: number; changed: boolean };
  /** Payload of `spec.validated`. */
  "spec.validated": SpecPayload;
  /** Payload of `spec.synced`. */
  "spec.synced": SpecPayload;
  /** Payload of `spec.locked`. */
  "spec.locked": SpecPayload;
  /** Payload of `spec.unlocked`. */
  "spec.unlocked": SpecPayload;
  /** Payload of `config.changed`. */
  "config.changed": { key: string; scope: "project" | "global"; action: "set" | "unset" };
  /** Payload of `task.started`. */
  "task.started": TaskPayload;
  /** Payload of `task.completed`. */
  "task.completed": TaskPayload;
  /** Payload of `task.failed`. */
  "task.failed": TaskPayload;
  /** Payload of `task.retried`. */
  "task.retried": TaskPayload;
  /** Payload of `build.started`. */
  "build.started": BuildPayload;
  /** Payload of `build.completed`. */
  "build.completed": BuildPayload;
  /** Payload of `build.failed`. */
  "build.failed": BuildPayload;
  /** Payload of `complexity.estimated`. */
  "complexity.estimated": { level: string; score: number; reasons: string[] };
  /** Payload of `model.selected`. */
  "model.selected": { model: string; level?: string; reasons?: string[] };
  /** Payload of `model.fallback`. */
  "model.fallback": { from: string; to: string; reason?: string };
  /** Payload of `cost.recorded`. */
  "cost.recorded": {
    model: string;
    tokens: Record<string, number>;
    usd: number;
    source: string;
  };
  /** Payload of `budget.alert`. */
  "budget.alert": { budget: string; spent: number; limit: number; level: "warn" | "stop" };
  /** Payload of `gate.passed`. */
  "gate.passed": GatePayload;
  /** Payload of `gate.failed`. */
  "gate.failed": GatePayload;
  /** Payload of `security.finding`. */
  "security.finding": { rule: string; file: string; line?: number; fingerprint: string };
  /** Payload of `debug.error`: an error `br pipe` or `br watch` saw (no output, no values). */
  "debug.error": {
    signature: string;
    kind: string;
    file?: string;
    line?: number;
    source: "pipe" | "watch";
  };
  /** Payload of `worker.started`. */
  "worker.started": WorkerPayload;
  /** Payload of `worker.heartbeat`. */
  "worker.heartbeat": WorkerPayload;
  /** Payload of `worker.lost`. */
  "worker.lost": WorkerPayload;
  /** Payload of `session.started`. */
  "session.started": { command: string };
  /** Payload of `session.ended`. */
  "session.ended": {
    command: string;
    exit_code: number;
    duration_ms: number;
    /** The error code (`not_found`, `check_failed`, `unexpected`, ...) when it did not succeed. */
    error?: string;
  };
}

/** Payload of the feature status events. */
export interface FeatureTransition {
  /** The feature's id. */
  id: string;
  /** The status it left. */
  from: string;
  /** The status it entered. */
  to: string;
  /** The `--reason` given (for `feature.blocked`, the blocked reason), or null. */
  reason?: string | null;
  /** True when `--force` let it through with dependencies not complete. */
  forced?: boolean;
}

/** Payload of the spec events. */
export interface SpecPayload {
  /** Feature ids added (to either side, for a sync). */
  added?: string[];
  /** Feature ids whose synced fields changed. */
  changed?: string[];
  /** Feature ids removed. */
  removed?: string[];
  /** What is wrong, one line each (validation problems, sync conflicts). */
  problems?: string[];
}

/** Payload of the task events. */
export interface TaskPayload {
  /** The task of the parallel run. */
  task_id: string;
  /** The feature the task builds. */
  feature?: string;
  /** The worker running it. */
  worker?: string;
  /** Which attempt (1 for the first, more after retries). */
  attempt?: number;
  /** How long the attempt took, in milliseconds. */
  duration_ms?: number;
  /** Why it failed, for `task.failed` and `task.retried`. */
  error?: string;
}

/** Payload of the build events (a parallel run). */
export interface BuildPayload {
  /** The run. */
  run_id: string;
  /** Ids of the features the run builds, sorted. */
  features?: string[];
  /** At the start: tasks, waves and workers; at the end: tasks by final state. */
  counts?: Record<string, number>;
  /** How long the run took, in milliseconds (end events). */
  duration_ms?: number;
}

/** Payload of the gate events. */
export interface GatePayload {
  /** The gate's name (`features`, `security`, ...). */
  gate: string;
  /** What the gate counted (problems, findings, ...), by kind. */
  counts?: Record<string, number>;
  /** How long the gate took, in milliseconds. */
  duration_ms?: number;
  /** The git hook that ran the gate (pre-commit, commit-msg, pre-push), if one did. */
  hook?: string;
}

/** Payload of the worker events. */
export interface WorkerPayload {
  /** The worker's id in its run. */
  worker: string;
  /** The task it runs. */
  task?: string;
  /** The process id of its agent. */
  pid?: number;
}

/** Every event type of the catalog. */
export type EventType = keyof EventPayloads;

/** The list of event types, in catalog order. */
export const EVENT_TYPES: readonly EventType[] = [
  "feature.added",
  "feature.updated",
  "feature.removed",
  "feature.started",
  "feature.completed",
  "feature.blocked",
  "feature.unblocked",
  "status.generated",
  "spec.validated",
  "spec.synced",
  "spec.locked",
  "spec.unlocked",
  "config.changed",
  "task.started",
  "task.completed",
  "task.failed",
  "task.retried",
  "build.started",
  "build.completed",
  "build.failed",
  "complexity.estimated",
  "model.selected",
  "model.fallback",
  "cost.recorded",
  "budget.alert",
  "gate.passed",
  "gate.failed",
  "security.finding",
  "debug.error",
  "worker.started",
  "worker.heartbeat",
  "worker.lost",
  "session.started",
  "session.ended",
];

/** One recorded event. */
export interface BrEvent<T extends EventType = EventType> {
  /** Unique id (UUID). */
  id: string;
  /** Event type from the catalog. */
  type: T;
  /** ISO 8601 UTC time. */
  time: string;
  /** The session (one `br` process or MCP connection) that emitted it. */
  session: string;
  /** The feature it concerns, if any. */
  feature?: string | null;
  /** The task it concerns, if any. */
  task?: string | null;
  /** Type-specific data. */
  payload: EventPayloads[T];
}

/** Feature and task an event is attributed to. */
export interface EventMeta {
  /** The feature id it concerns (copied to {@link BrEvent.feature}). */
  feature?: string | null;
  /** The task id it concerns (copied to {@link BrEvent.task}). */
  task?: string | null;
}

/** A subscriber; may be async (awaited by {@link EventBus.flush}). */
export type EventHandler<T extends EventType = EventType> = (
  event: BrEvent<T>,
) => void | Promise<void>;

/**
 * A veto hook: runs before a mutation is written. Return a string (or throw) to veto; the
 * string is the reason shown to the user.
 */
export type VetoHandler<T extends EventType = EventType> = (
  event: BrEvent<T>,
) => void | string | Promise<void | string>;

/** A handler that failed or timed out. */
export interface HandlerFailure {
  /** The event being handled. */
  event: BrEvent;
  /** What went wrong. */
  error: unknown;
}

/** Options of the {@link EventBus}. */
export interface EventBusOptions {
  /**
   * The session id stamped on every event, or a function that makes it when an event or
   * {@link EventBus.session} first needs it (once).
   */
  session: string | (() => string);
  /** Clock for event times. */
  now?: () => Date;
  /** Per-handler timeout. Default 5 s. */
  handlerTimeoutMs?: number;
  /** Called for each handler that throws or times out. */
  onHandlerError?: (failure: HandlerFailure) => void;
}

/**
 * The typed event bus. Handlers run as soon as an event is emitted; async ones are tracked
 * and awaited by {@link EventBus.flush} (each with a timeout). A failing handler is reported
 * through `onHandlerError` and never stops the others or the command.
 *
 * @example
 * ```ts
 * import { EventBus } from "./events.ts";
 * const bus = new EventBus({ session: "s1" });
 * bus.on("feature.added", (e) => console.log(e.payload.id));
 * bus.emit("feature.added", { id: "login", fields: {} });
 * await bus.flush();
 * ```
 */
export class EventBus {
  #session: string | (() => string);
  #now: () => Date;
  #timeoutMs: number;
  #onError: (failure: HandlerFailure) => void;
  #handlers = new Map<string, Set<EventHandler>>();
  #vetoes = new Map<string, Set<VetoHandler>>();
  #pending = new Set<Promise<void>>();

  /** Creates a bus for one session. */
  constructor(options: EventBusOptions) {
    this.#session = options.session;
    this.#now = options.now ?? (() => new Date());
    this.#timeoutMs = options.handlerTimeoutMs ?? 5000;
    this.#onError = options.onHandlerError ?? (() => {});
  }

  /** The session id stamped on every event. */
  get session(): string {
    if (typeof this.#session === "function") this.#session = this.#session();
    return this.#session;
  }

  /** Subscribes to one event type, or every type with `"*"`. Returns an unsubscribe function. */
  on<T extends EventType>(type: T | "*", handler: EventHandler<T>): () => void {
    return add(this.#handlers, type, handler as EventHandler);
  }

  /** Registers a veto hook for one event type (or `"*"`). Returns an unsubscribe function. */
  before<T extends EventType>(type: T | "*", veto: VetoHandler<T>): () => void {
    return add(this.#vetoes, type, veto as VetoHandler);
  }

  /** Builds an event with id, time and session. */
  create<T extends EventType>(
    type: T,
    payload: EventPayloads[T],
    meta: EventMeta = {},
  ): BrEvent<T> {
    const event: BrEvent<T> = {
      id: crypto.randomUUID(),
      type,
      time: this.#now().toISOString(),
      session: this.session,
      payload,
    };
    if (meta.feature !== undefined) event.feature = meta.feature;
    if (meta.task !== undefined) event.task = meta.task;
    return event;
  }

  /**
   * Asks every veto hook whether `event` may happen.
   *
   * @throws {BrError} `conflict` naming the veto's reason.
   */
  async check<T extends EventType>(event: BrEvent<T>): Promise<void> {
    const hooks = [...(this.#vetoes.get(event.type) ?? []), ...(this.#vetoes.get("*") ?? [])];
    for (const hook of hooks) {
      let reason: void | string;
      try {
        reason = await hook(event as BrEvent);
      } catch (err) {
        if (err instanceof BrError) throw err;
        reason = (err as Error).message;
      }
      if (typeof reason === "string") {
        throw new BrError("conflict", `Refused ${event.type}: ${reason}`, {
          hint: "change the governance rules or use a permitted transition",
        });
      }
    }
  }

  /** Emits an event built by {@link create} (or builds it) and starts every handler. */
  emit<T extends EventType>(
    typeOrEvent: T | BrEvent<T>,
    payload?: EventPayloads[T],
    meta?: EventMeta,
  ): BrEvent<T> {
    const event = typeof typeOrEvent === "string"
      ? this.create(typeOrEvent, payload as EventPayloads[T], meta)
      : typeOrEvent;
    const handlers = [
      ...(this.#handlers.get(event.type) ?? []),
      ...(this.#handlers.get("*") ?? []),
    ];
    for (const handler of handlers) this.#track(event as BrEvent, handler);
    return event;
  }

  /** Waits for every running handler (each bounded by the timeout). */
  async flush(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  #track(event: BrEvent, handler: EventHandler): void {
    let result: void | Promise<void>;
    try {
      result = handler(event);
    } catch (error) {
      this.#onError({ event, error });
      return;
    }
    if (!(result instanceof Promise)) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<void>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`handler timed out after ${this.#timeoutMs} ms`)),
        this.#timeoutMs,
      );
    });
    const done: Promise<void> = Promise.race([result, timeout])
      .catch((error) => this.#onError({ event, error }))
      .finally(() => {
        clearTimeout(timer);
        this.#pending.delete(done);
      });
    this.#pending.add(done);
  }
}

function add<H>(map: Map<string, Set<H>>, type: string, handler: H): () => void {
  let set = map.get(type);
  if (!set) map.set(type, set = new Set());
  set.add(handler);
  return () => set.delete(handler);
}
