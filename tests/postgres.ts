/**
 * A real PostgreSQL server for tests, from the Debian package (`postgresql`): initialised in a
 * temp data dir, listening on a free loopback port, stopped and removed after. PostgreSQL
 * refuses to run as root, so as root it runs as the package's `postgres` user.
 *
 * `startPostgres()` starts one; `sharedPostgres()` starts one per test process on first use and
 * stops it when the process ends. Both return null (and the caller skips with a printed line)
 * only when no PostgreSQL binaries are installed.
 */

/** A running server. */
export interface PostgresServer extends AsyncDisposable {
  /** `postgres://br@127.0.0.1:<port>/br` (trust authentication, superuser `br`). */
  url: string;
  /** Its port. */
  port: number;
  /** Stops the server and removes its data dir. */
  stop(): Promise<void>;
  /** The same, synchronously (for `unload`). */
  stopSync(): void;
}

/** The folder holding `initdb`, `pg_ctl` and `postgres`, or null when none is installed. */
export function postgresBinDir(): string | null {
  const fromEnv = Deno.env.get("BR_TEST_PG_BIN");
  if (fromEnv) return fromEnv;
  let best: [number, string] | null = null;
  try {
    for (const entry of Deno.readDirSync("/usr/lib/postgresql")) {
      const version = Number(entry.name);
      const bin = `/usr/lib/postgresql/${entry.name}/bin`;
      try {
        Deno.statSync(`${bin}/initdb`);
      } catch {
        continue;
      }
      if (Number.isFinite(version) && (!best || version > best[0])) best = [version, bin];
    }
  } catch {
    return null;
  }
  return best?.[1] ?? null;
}

const isRoot = () => Deno.uid?.() === 0;

async function exec(cmd: string[], options: { asPostgres: boolean }): Promise<string> {
  const argv = options.asPostgres && isRoot() ? ["runuser", "-u", "postgres", "--", ...cmd] : cmd;
  const out = await new Deno.Command(argv[0], {
    args: argv.slice(1),
    stdout: "piped",
    stderr: "piped",
    cwd: "/",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  if (!out.success) throw new Error(`${cmd.join(" ")} failed (${out.code}): ${text}`);
  return text;
}

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Starts a PostgreSQL server in a temp data dir; null when PostgreSQL is not installed. */
export async function startPostgres(): Promise<PostgresServer | null> {
  const bin = postgresBinDir();
  if (!bin) return null;
  const dir = await Deno.makeTempDir({ prefix: "br-pg-" });
  const data = `${dir}/data`;
  await Deno.mkdir(data);
  if (isRoot()) {
    const id = (await exec(["id", "-u", "postgres"], { asPostgres: false })).trim();
    const gid = (await exec(["id", "-g", "postgres"], { asPostgres: false })).trim();
    await Deno.chown(dir, Number(id), Number(gid));
    await Deno.chown(data, Number(id), Number(gid));
  }
  await exec([`${bin}/initdb`, "-D", data, "-A", "trust", "-U", "br", "-E", "UTF8", "--no-sync"], {
    asPostgres: true,
  });
  let port = 0;
  for (let attempt = 0;; attempt++) {
    port = freePort();
    const options = [
      `-p ${port}`,
      `-k ${dir}`,
      "-c listen_addresses=127.0.0.1",
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c max_connections=400",
    ].join(" ");
    try {
      await exec([`${bin}/pg_ctl`, "-D", data, "-o", options, "-l", `${dir}/log`, "-w", "start"], {
        asPostgres: true,
      });
      break;
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  await exec([`${bin}/createdb`, "-h", "127.0.0.1", "-p", String(port), "-U", "br", "br"], {
    asPostgres: false,
  });
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await exec([`${bin}/pg_ctl`, "-D", data, "-m", "immediate", "-w", "stop"], {
      asPostgres: true,
    }).catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  };
  const stopSync = () => {
    if (stopped) return;
    stopped = true;
    const argv = [`${bin}/pg_ctl`, "-D", data, "-m", "immediate", "-w", "stop"];
    const full = isRoot() ? ["runuser", "-u", "postgres", "--", ...argv] : argv;
    new Deno.Command(full[0], { args: full.slice(1), stdout: "null", stderr: "null", cwd: "/" })
      .outputSync();
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch { /* already gone */ }
  };
  return {
    url: `postgres://br@127.0.0.1:${port}/br`,
    port,
    stop,
    stopSync,
    [Symbol.asyncDispose]: stop,
  };
}

let shared: Promise<PostgresServer | null> | null = null;
let sharedServer: PostgresServer | null = null;

/**
 * One server for the whole test process, started on first use and stopped when the process
 * ends (`unload`). Tests keep their data apart with their own database or project key.
 */
export function sharedPostgres(): Promise<PostgresServer | null> {
  if (!shared) {
    shared = startPostgres().then((server) => (sharedServer = server));
    globalThis.addEventListener("unload", () => sharedServer?.stopSync());
  }
  return shared;
}

/**
 * True when the tests run against a PostgreSQL store (`deno task test:postgres` sets
 * `BR_DATABASE_URL`): assertions about SQLite's own files (`br.db`, its WAL, the spool of
 * short commands, read-only mounts) are skipped then.
 */
export const ON_POSTGRES: boolean = /^postgres(ql)?:/i.test(
  Deno.env.get("BR_DATABASE_URL") ?? "",
);

/**
 * The store of the test process (`BR_DATABASE_URL` when set), for a project created with an
 * environment of its own: it must use the same store as the `br` commands the test runs.
 */
export function storeEnv(): Record<string, string> {
  const url = Deno.env.get("BR_DATABASE_URL");
  return url ? { BR_DATABASE_URL: url } : {};
}
