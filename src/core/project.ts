import { dirname, join, resolve, sep } from "./path.ts";
import type { Config } from "./config.ts";
import { globalConfigPath } from "./global_config.ts";
import { BrError } from "./errors.ts";
import { EventBus, type HandlerFailure } from "./events.ts";
import { existsSync, isInside, removeStaleTempFiles } from "./fs.ts";
import { importOptional } from "./optional.ts";
import type { Store, StoreChoice } from "./store.ts";

/** Name of the project folder. */
export const BR_DIR = ".buildrunner";

/** Paths of one project. */
export interface ProjectPaths {
  /** The project root (the folder holding `.buildrunner/`). */
  root: string;
  /** `.buildrunner/` */
  dir: string;
  /** `.buildrunner/features.json` */
  features: string;
  /** `.buildrunner/config.yaml` */
  config: string;
  /** `.buildrunner/governance.yaml` */
  governance: string;
  /** `.buildrunner/governance.sha256` */
  governanceSum: string;
  /** `.buildrunner/context/` */
  context: string;
  /** `.buildrunner/br.db` */
  db: string;
  /** `.buildrunner/worktrees/` */
  worktrees: string;
  /** `.buildrunner/cache/` (derived data, ignored by git through its own `.gitignore`) */
  cache: string;
  /** `.buildrunner/spool/` (events waiting for the store, ignored by git the same way) */
  spool: string;
  /** `.buildrunner/.lock` */
  lock: string;
  /** `.buildrunner/.gitignore` */
  gitignore: string;
  /** `PROJECT_SPEC.md` */
  spec: string;
  /** `STATUS.md` */
  status: string;
  /** `CLAUDE.md` */
  claude: string;
  /** `AGENTS.md` */
  agents: string;
}

/** The paths of the project rooted at `root`. */
export function projectPaths(root: string): ProjectPaths {
  const dir = join(root, BR_DIR);
  return {
    root,
    dir,
    features: join(dir, "features.json"),
    config: join(dir, "config.yaml"),
    governance: join(dir, "governance.yaml"),
    governanceSum: join(dir, "governance.sha256"),
    context: join(dir, "context"),
    db: join(dir, "br.db"),
    worktrees: join(dir, "worktrees"),
    cache: join(dir, "cache"),
    spool: join(dir, "spool"),
    lock: join(dir, ".lock"),
    gitignore: join(dir, ".gitignore"),
    spec: join(root, "PROJECT_SPEC.md"),
    status: join(root, "STATUS.md"),
    claude: join(root, "CLAUDE.md"),
    agents: join(root, "AGENTS.md"),
  };
}

/**
 * Finds the project root by walking up from `start` to the first folder with
 * `.buildrunner/`. Inside a task worktree under `<main>/.buildrunner/worktrees/`, the main
 * checkout is the project, so every `br` call of an agent lands in one place.
 */
export function findProjectRoot(start: string): string | null {
  let dir = resolve(start);
  while (true) {
    if (existsSync(join(dir, BR_DIR))) return mainCheckoutOf(dir);
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

function mainCheckoutOf(root: string): string {
  const marker = `${sep}${BR_DIR}${sep}worktrees${sep}`;
  const at = root.indexOf(marker);
  if (at > 0) {
    const main = root.slice(0, at);
    if (existsSync(join(main, BR_DIR, "features.json"))) return main;
  }
  return root;
}

/** A clock; injectable so tests can fix time. */
export interface Clock {
  /** The current time. */
  now(): Date;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/** Options of {@link openProject}. */
export interface OpenProjectOptions {
  /** Where to start looking (default: the current directory). */
  cwd?: string;
  /** An explicit project root (`--project`); overrides `BR_PROJECT` and discovery. */
  project?: string;
  /** Environment (default: the process environment). */
  env?: Record<string, string | undefined>;
  /** Clock (default: the system clock). */
  clock?: Clock;
  /** Session id stamped on events (default: `BR_SESSION` or a new UUID). */
  session?: string;
  /** Command-line config overrides (dotted keys). */
  configFlags?: Record<string, unknown>;
  /** Receives handler failures of the event bus. */
  onHandlerError?: (failure: HandlerFailure) => void;
}

/** One open project: the context every capability receives. */
export interface Project {
  /** The project root. */
  readonly root: string;
  /** Paths inside it. */
  readonly paths: ProjectPaths;
  /** The event bus. */
  readonly bus: EventBus;
  /** The clock. */
  readonly clock: Clock;
  /** The environment the project was opened with. */
  readonly env: Record<string, string | undefined>;
  /** The merged configuration (loaded on first use). */
  config(): Promise<Config>;
  /**
   * False when no layer of the configuration can set anything in `section`: no `BR_<SECTION>__`
   * variable, no flag, and neither config file holds the word. Its defaults then apply without
   * loading the configuration (its YAML parser and schemas).
   */
  configMentions(section: string): boolean;
  /**
   * Where the store lives: `BR_DATABASE_URL`, else `store.url` of the configuration (read only
   * when the configuration mentions `store`); SQLite (`.buildrunner/br.db`) when neither names
   * a server.
   *
   * @throws {BrError} `storage` for a URL of a backend br lacks.
   */
  storeChoice(): Promise<StoreChoice>;
  /**
   * The project's store (`.buildrunner/br.db`, or its schema on the PostgreSQL server
   * {@link Project.storeChoice} names), opened and migrated on first use and closed by
   * {@link Project.close} after every cleanup has run.
   *
   * @throws {BrError} `storage` when it cannot be opened (a server that cannot be reached
   * included: there is no local fallback).
   */
  store(): Promise<Store>;
  /** True once {@link Project.store} was called in this process (and not closed since). */
  storeOpened(): boolean;
  /**
   * Runs `fn` under the project lock (serializes read-modify-write across processes); taking
   * it removes the temp files of killed writers from the root and `.buildrunner/`.
   *
   * @throws {BrError} `usage` for a bad `BR_LOCK_TIMEOUT_MS`, `invalid_data` when the lock
   * file or `.buildrunner/` is a link br must not follow, `lock_timeout` after waiting.
   */
  withLock<T>(fn: () => Promise<T>): Promise<T>;
  /** Registers cleanup run by {@link Project.close}, last registered first. */
  onClose(fn: () => void | Promise<void>): void;
  /** Flushes event handlers and runs cleanups. */
  close(): Promise<void>;
}

/** The root `openProject` would use, without opening anything. */
export function resolveProjectRoot(options: OpenProjectOptions = {}): string {
  const env = options.env ?? Deno.env.toObject();
  const explicit = options.project ?? env.BR_PROJECT;
  if (explicit) {
    const root = resolve(options.cwd ?? Deno.cwd(), explicit);
    if (!existsSync(join(root, BR_DIR))) {
      throw new BrError("no_project", `No BuildRunner project at "${root}"`, {
        hint: `run "br init --dir ${explicit}" or "br attach ${explicit}" first`,
      });
    }
    return mainCheckoutOf(root);
  }
  const cwd = options.cwd ?? Deno.cwd();
  const root = findProjectRoot(cwd);
  if (!root) {
    throw new BrError("no_project", `No BuildRunner project found in "${cwd}" or its parents`, {
      hint: 'run "br init" to start one, "br attach" to adopt this repository, or pass --project',
    });
  }
  return root;
}

/**
 * Opens the project that contains `cwd` (or the explicit one).
 *
 * @throws {BrError} `no_project` when there is none.
 */
export function openProject(options: OpenProjectOptions = {}): Promise<Project> {
  const root = resolveProjectRoot(options);
  return Promise.resolve(createProject(root, options));
}

/** Builds the project context for a known root (used by `init` before the folder exists). */
export function createProject(root: string, options: OpenProjectOptions = {}): Project {
  const env = options.env ?? Deno.env.toObject();
  const paths = projectPaths(root);
  const clock = options.clock ?? systemClock;
  const bus = new EventBus({
    // Made when an event first needs it: a command that records none (a warm `br status`)
    // skips the process's first UUID, about 0.1 ms.
    session: options.session ?? env.BR_SESSION ?? (() => crypto.randomUUID()),
    now: () => clock.now(),
    onHandlerError: options.onHandlerError,
  });
  let configPromise: Promise<Config> | null = null;
  const cleanups: (() => void | Promise<void>)[] = [];
  // The config, the lock and the event log load with their first use: a command that needs
  // none of them (a warm `br status`) does not pay for their modules.
  const config = () =>
    configPromise ??= import("./config.ts").then(({ loadConfig }) =>
      loadConfig({
        projectFile: paths.config,
        cacheDir: paths.cache,
        globalFile: globalConfigPath(env),
        env,
        flags: options.configFlags,
      })
    );
  let lockTimeout: number | undefined;
  let storePromise: Promise<Store> | null = null;
  let choicePromise: Promise<StoreChoice> | null = null;
  const storeChoice = () =>
    choicePromise ??= (async (): Promise<StoreChoice> => {
      // Neither the variable nor the configuration names a store: the local SQLite file,
      // without loading the store's module (every command that records events asks).
      if (!env.BR_DATABASE_URL && !mentions("store")) return { backend: "sqlite" };
      const { chooseStore } = await import("./store.ts");
      if (env.BR_DATABASE_URL) {
        // `--database` of the distributed commands sets the variable for its own command.
        const from = env.BR_DATABASE_URL_FROM === "--database" ? "--database" : undefined;
        return chooseStore(env.BR_DATABASE_URL, from);
      }
      const url = (await config()).get<unknown>("store.url");
      if (url === undefined || url === null || url === "") return chooseStore(undefined);
      if (typeof url !== "string") {
        throw new BrError("invalid_data", "Invalid config value store.url: expected a URL", {
          hint: 'run "br config set store.url postgres://user@host/db" or remove the key',
        });
      }
      return chooseStore(url, "store.url in the configuration");
    })();
  const store = () =>
    storePromise ??= (async () => {
      const choice = await storeChoice();
      if (choice.backend === "postgres") {
        const pg = await importOptional<typeof import("./store_postgres.ts")>(
          "src/core/store_postgres.ts",
        );
        const { key } = await pg.projectKeyOf(project);
        return await pg.openPostgresStore(choice.url, {
          projectKey: key,
          env,
          source: choice.source,
        });
      }
      await Deno.mkdir(paths.dir, { recursive: true });
      const { openSqliteStore } = await import("./store_sqlite.ts");
      const opened = await openSqliteStore(paths.db);
      // Events short commands spooled instead of opening the store (left for the next open
      // when the store is too busy now).
      const { ingestSpool } = await import("./event_log.ts");
      await ingestSpool(opened, paths.spool).catch(() => {});
      return opened;
    })().catch((err) => {
      storePromise = null;
      throw err;
    });
  const mentions = (section: string): boolean => {
    const prefix = `BR_${section.toUpperCase()}__`;
    if (Object.keys(env).some((k) => k.startsWith(prefix))) return true;
    const flags = Object.keys(options.configFlags ?? {});
    if (flags.some((k) => k === section || k.startsWith(`${section}.`))) return true;
    return [paths.config, globalConfigPath(env)].some((file) => {
      if (file === null) return false;
      try {
        return Deno.readTextFileSync(file).includes(section);
      } catch (err) {
        // No file; one that cannot be read is reported when the configuration loads.
        return !(err instanceof Deno.errors.NotFound);
      }
    });
  };
  const project: Project = {
    root,
    paths,
    bus,
    clock,
    env,
    config,
    storeChoice,
    store,
    storeOpened: () => storePromise !== null,
    configMentions: mentions,
    async withLock<T>(fn: () => Promise<T>): Promise<T> {
      lockTimeout ??= lockTimeoutMs(env.BR_LOCK_TIMEOUT_MS);
      await Deno.mkdir(paths.dir, { recursive: true });
      // A `.buildrunner` that links elsewhere (committed as a link) would have br write
      // outside the project.
      const real = Deno.realPathSync(paths.dir);
      if (!isInside(real, root)) {
        throw new BrError(
          "invalid_data",
          `Cannot use "${paths.dir}": it links to "${real}", outside the project`,
          { hint: `replace the link with a folder: rm "${paths.dir}" && br init` },
        );
      }
      const { withLock } = await import("./lock.ts");
      return withLock(paths.lock, () => {
        // Temp files left by writers killed before their rename (only those whose process
        // is gone: a writer outside the lock may be busy with its own).
        removeStaleTempFiles([root, paths.dir]);
        return fn();
      }, { timeoutMs: lockTimeout });
    },
    onClose(fn) {
      cleanups.push(fn);
    },
    async close() {
      await bus.flush();
      while (cleanups.length) await cleanups.pop()!();
      await bus.flush();
      // The store closes last: cleanups (the telemetry collector) may still write to it.
      const open = storePromise;
      storePromise = null;
      if (open) await (await open.catch(() => null))?.close();
    },
  };
  return project;
}

/** The largest `BR_LOCK_TIMEOUT_MS` (what a timer can wait, about 24.8 days). */
export const MAX_LOCK_TIMEOUT_MS = 2_147_483_647;

/**
 * How long to wait for the project lock: `BR_LOCK_TIMEOUT_MS` (whole milliseconds, 0 to
 * {@link MAX_LOCK_TIMEOUT_MS}; 0 fails at once when another process holds it), 30 s when
 * unset or empty.
 *
 * @throws {BrError} `usage` for any other value.
 */
export function lockTimeoutMs(raw: string | undefined): number {
  if (raw === undefined || raw === "") return 30_000;
  const ms = /^\d{1,10}$/.test(raw) ? Number(raw) : NaN;
  if (!(ms <= MAX_LOCK_TIMEOUT_MS)) {
    throw new BrError(
      "usage",
      `Invalid BR_LOCK_TIMEOUT_MS "${raw}": expected a whole number of milliseconds from 0 to ${MAX_LOCK_TIMEOUT_MS}`,
      { hint: "unset it to wait 30000 ms (the default)" },
    );
  }
  return ms;
}
