/**
 * The store on PostgreSQL next to SQLite: 8 writer processes at once ingest telemetry events
 * (the event log's write path, batches of 500 as the collector writes them) and then cost
 * ledger rows (the ledger's write path, transactions of 5,000 rows as the importer writes
 * them), into a project's `.buildrunner/br.db` and into a PostgreSQL server started for the
 * run (tests/postgres.ts: the Debian package, a temp data dir, fsync off); then
 * `br cost summary --json` and `br telemetry summary --period all --json` on both, and
 * `br store migrate-to` of the SQLite store into an empty database. Prints figures, asserts
 * nothing.
 *
 *   deno run -A bench/store.ts                 # 1,000,000 events, 100,000 cost rows
 *   deno run -A bench/store.ts --quick         # 8,000 events, 2,000 cost rows (a smoke run)
 *   deno run -A bench/store.ts --events 200000 --cost-rows 50000 --writers 8
 *   deno run -A bench/store.ts --no-postgres   # SQLite only
 *
 * Without PostgreSQL binaries only SQLite is measured (a printed line says so).
 */
import { existsSync } from "node:fs";
import { postgresBinDir, startPostgres } from "../tests/postgres.ts";
import { brArgs, flag, isolateGit, median, run, sample } from "./_lib.ts";

const quick = Deno.args.includes("--quick");
const EVENTS = flag("events", quick ? 8_000 : 1_000_000);
const COST_ROWS = flag("cost-rows", quick ? 2_000 : 100_000);
const WRITERS = flag("writers", 8);
const RUNS = flag("runs", quick ? 1 : 3);
/** Timed runs of each summary command (after one untimed run, unless --quick). */
const TIMES = quick ? 1 : 3;
const WRITER = new URL("./_store_writer.ts", import.meta.url).pathname;
const KEY = "bench-store";

isolateGit();

interface Phase {
  /** From the start signal to the last writer's end of writing. */
  ms: number;
  rows: number;
}

/** Starts the writers, lets them go at once, and times them until the last one is done. */
async function phase(where: string, kind: "events" | "cost", total: number, dir: string) {
  const go = `${dir}/go-${kind}-${crypto.randomUUID()}`;
  const children = Array.from({ length: WRITERS }, (_, w) => {
    const share = Math.floor(total / WRITERS) + (w < total % WRITERS ? 1 : 0);
    return new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", WRITER, where, KEY, kind, String(w), String(share), go],
      stdout: "piped",
      stderr: "piped",
    }).spawn();
  });
  while (
    !Array.from({ length: WRITERS }, (_, w) => existsSync(`${go}.ready-${w}`)).every(Boolean)
  ) {
    await new Promise((r) => setTimeout(r, 10));
  }
  await Deno.writeTextFile(go, "");
  const outs = await Promise.all(children.map((c) => c.output()));
  const times: number[] = [];
  for (const out of outs) {
    const text = new TextDecoder().decode(out.stdout).trim();
    if (!out.success) {
      throw new Error(`a ${kind} writer failed: ${new TextDecoder().decode(out.stderr)}`);
    }
    times.push(Number(text));
  }
  return { ms: Math.max(...times), rows: total } satisfies Phase;
}

/** The summaries' JSON, to show that both stores answer the same. */
async function answers(project: string, env: Record<string, string>): Promise<string> {
  const out: string[] = [];
  for (
    const args of [["cost", "summary", "--json"], [
      "telemetry",
      "summary",
      "--period",
      "all",
      "--json",
    ]]
  ) {
    const r = await new Deno.Command(Deno.execPath(), {
      args: brArgs(...args),
      cwd: project,
      env,
      stdout: "piped",
      stderr: "null",
    }).output();
    const json = JSON.parse(new TextDecoder().decode(r.stdout));
    delete json.until; // the time of the run
    delete json.generated_at;
    out.push(JSON.stringify(json));
  }
  return out.join("\n");
}

async function summaries(project: string, env: Record<string, string>) {
  const out: Record<string, number> = {};
  const lines: Record<string, string[]> = {
    "br cost summary --json": ["cost", "summary", "--json"],
    "br cost summary --by model --json": ["cost", "summary", "--by", "model", "--json"],
    "br telemetry summary --period all --json": [
      "telemetry",
      "summary",
      "--period",
      "all",
      "--json",
    ],
  };
  for (const [name, args] of Object.entries(lines)) {
    if (!quick) await sample(Deno.execPath(), brArgs(...args), project, env); // warm
    const ms: number[] = [];
    for (let i = 0; i < TIMES; i++) {
      ms.push((await sample(Deno.execPath(), brArgs(...args), project, env)).ms);
    }
    out[name] = median(ms);
  }
  return out;
}

const dir = await Deno.makeTempDir({ prefix: "br-bench-store-" });
const pg = Deno.args.includes("--no-postgres") ? null : await startPostgres();
try {
  console.log(
    `store bench: ${EVENTS.toLocaleString("en")} events and ${
      COST_ROWS.toLocaleString("en")
    } cost rows from ${WRITERS} writer processes; best of ${RUNS}`,
  );
  if (!pg) {
    console.log(
      "  no PostgreSQL (--no-postgres, or the postgresql package is missing): SQLite only",
    );
  }
  const backends: {
    name: string;
    where: (run: number) => string;
    env: (run: number) => Record<string, string>;
  }[] = [
    {
      name: "sqlite",
      where: (r) => `${dir}/sqlite-${r}/.buildrunner/br.db`,
      env: () => ({ NO_COLOR: "1", BR_DATABASE_URL: "" }),
    },
  ];
  if (pg) {
    // One database per run, so every run starts empty.
    backends.push({
      name: "postgres",
      where: (r) => pg.url.replace(/\/br$/, `/bench${r}`),
      env: (r) => ({
        NO_COLOR: "1",
        BR_DATABASE_URL: pg.url.replace(/\/br$/, `/bench${r}`),
        BR_PROJECT_KEY: KEY,
      }),
    });
  }
  const results: Record<
    string,
    { events: number; cost: number; summaries: Record<string, number>; answer: string }
  > = {};
  for (let r = 0; r < RUNS; r++) {
    for (const b of backends) {
      const project = `${dir}/${b.name}-${r}`;
      await Deno.mkdir(project, { recursive: true });
      await run(Deno.execPath(), brArgs("init", "--name", "bench"), project);
      if (b.name === "postgres") {
        await run(
          `${postgresBinDir()}/createdb`,
          ["-h", "127.0.0.1", "-p", String(pg!.port), "-U", "br", `bench${r}`],
          dir,
        );
      }
      const ev = await phase(b.where(r), "events", EVENTS, dir);
      const co = await phase(b.where(r), "cost", COST_ROWS, dir);
      const prev = results[b.name];
      const best = {
        events: Math.min(prev?.events ?? Infinity, ev.ms),
        cost: Math.min(prev?.cost ?? Infinity, co.ms),
        summaries: prev?.summaries ?? {},
        answer: prev?.answer ?? "",
      };
      if (r === RUNS - 1) {
        best.summaries = await summaries(project, b.env(r));
        best.answer = await answers(project, b.env(r));
      }
      results[b.name] = best;
      console.log(
        `  run ${r + 1} ${b.name.padEnd(8)}: events ${ev.ms.toFixed(0)} ms, cost rows ${
          co.ms.toFixed(0)
        } ms`,
      );
    }
  }
  const rate = (n: number, ms: number) => `${Math.round(n / (ms / 1000)).toLocaleString("en")}/s`;
  for (const [name, r] of Object.entries(results)) {
    console.log(`${name}:`);
    console.log(`  events:    ${r.events.toFixed(0).padStart(7)} ms  ${rate(EVENTS, r.events)}`);
    console.log(`  cost rows: ${r.cost.toFixed(0).padStart(7)} ms  ${rate(COST_ROWS, r.cost)}`);
    for (const [line, ms] of Object.entries(r.summaries)) {
      console.log(`  ${line.padEnd(42)} ${ms.toFixed(0).padStart(6)} ms (median of ${TIMES})`);
    }
  }
  if (results.postgres) {
    const s = results.sqlite;
    const p = results.postgres;
    console.log(
      `summaries equal on both stores: ${p.answer === s.answer ? "yes" : "NO"} (cost, telemetry)`,
    );
    console.log("postgres / sqlite (time; above 1 is slower):");
    console.log(`  events ingest:    ${(p.events / s.events).toFixed(2)}x`);
    console.log(`  cost rows ingest: ${(p.cost / s.cost).toFixed(2)}x`);
    for (const line of Object.keys(s.summaries)) {
      console.log(`  ${line.padEnd(42)} ${(p.summaries[line] / s.summaries[line]).toFixed(2)}x`);
    }
    // The last SQLite store, copied into an empty database of the server.
    const project = `${dir}/sqlite-${RUNS - 1}`;
    const url = pg!.url.replace(/\/br$/, "/copy");
    await run(`${postgresBinDir()}/createdb`, [
      "-h",
      "127.0.0.1",
      "-p",
      String(pg!.port),
      "-U",
      "br",
      "copy",
    ], dir);
    const env = { NO_COLOR: "1", BR_DATABASE_URL: "", BR_PROJECT_KEY: KEY, BR_NO_TELEMETRY: "1" };
    const copy = await sample(Deno.execPath(), brArgs("store", "migrate-to", url), project, env);
    const copied = await answers(project, { ...env, BR_DATABASE_URL: url });
    console.log(
      `br store migrate-to of the SQLite store (${EVENTS.toLocaleString("en")} events, ${
        COST_ROWS.toLocaleString("en")
      } cost rows) into an empty database: ${(copy.ms / 1000).toFixed(1)} s; summaries equal: ${
        copied === s.answer ? "yes" : "NO"
      }`,
    );
  }
} finally {
  await pg?.stop();
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}
