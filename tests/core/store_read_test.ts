import assert from "node:assert/strict";
import { BrError } from "../../src/core/errors.ts";
import { MIGRATIONS } from "../../src/core/store_migrations.ts";
import { openSqliteStore } from "../../src/core/store_sqlite.ts";
import { br, brArgv, type BrRun, tempDir, tempProject } from "../helpers.ts";

// Every command that only reads the store.
const REPORTS: string[][] = [
  ["telemetry", "summary", "--json"],
  ["telemetry", "events", "--json"],
  ["telemetry", "performance", "--json"],
  ["telemetry", "export", "--format", "jsonl"],
  ["cost", "summary", "--json"],
  ["cost", "budget", "list", "--json"],
  ["parallel", "status", "--json"],
  ["parallel", "list", "--json"],
  ["parallel", "dashboard", "--once"],
];
// Commands that read the store and may record something (their events, a budget's level):
// without a store they must not create one either.
const READERS: string[][] = [
  ["cost", "budget", "check", "--json"],
  ["routing", "estimate", "add a login page", "--json"],
  ["routing", "select", "add a login page", "--json"],
];

async function listing(dir: string): Promise<string[]> {
  const out: string[] = [];
  for await (const e of Deno.readDir(dir)) out.push(e.name);
  return out.sort();
}

async function digest(path: string): Promise<string> {
  const bytes = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test("read-only reports never create .buildrunner/br.db and answer empty", async () => {
  await using dir = await tempProject();
  const bd = `${dir.path}/.buildrunner`;
  const json = async (args: string[]) => {
    const res = await br(args, { cwd: dir.path });
    assert.equal(res.code, 0, `${args.join(" ")}: ${res.stderr}`);
    return JSON.parse(res.stdout);
  };
  assert.deepEqual(await json(["cost", "budget", "list", "--json"]), []);
  assert.deepEqual(await json(["parallel", "list", "--json"]), []);
  assert.deepEqual(await json(["telemetry", "events", "--json"]), []);
  const cost = await json(["cost", "summary", "--json"]);
  assert.deepEqual(cost.rows, []);
  assert.equal(cost.totals.cost_usd, 0);
  assert.equal((await json(["parallel", "status", "--json"])).run, null);
  for (const args of [...REPORTS, ...READERS]) {
    const res = await br(args, { cwd: dir.path });
    assert.equal(res.code, 0, `${args.join(" ")}: ${res.stderr}`);
    assert.deepEqual(
      (await listing(bd)).filter((n) => n.startsWith("br.db")),
      [],
      `${args.join(" ")} created the store`,
    );
  }
});

Deno.test("read-only reports see spooled events without creating the store", async () => {
  await using dir = await tempProject();
  assert.equal((await br(["feature", "add", "Login"], { cwd: dir.path })).code, 0);
  const spool = await listing(`${dir.path}/.buildrunner/spool`);
  assert.ok(spool.some((n) => n.endsWith(".jsonl")));
  const res = await br(["telemetry", "events", "--json", "--type", "feature.added"], {
    cwd: dir.path,
  });
  assert.equal(res.code, 0, res.stderr);
  assert.deepEqual(JSON.parse(res.stdout).map((e: { feature: string }) => e.feature), ["login"]);
  assert.equal(await Deno.stat(`${dir.path}/.buildrunner/br.db`).catch(() => null), null);
  assert.deepEqual(await listing(`${dir.path}/.buildrunner/spool`), spool, "spool kept");
});

/** A project whose store holds a budget and the events of one `feature add`. */
async function storedProject() {
  const dir = await tempProject();
  for (const args of [["feature", "add", "Login"], ["cost", "budget", "set", "daily", "5"]]) {
    const res = await br(args, { cwd: dir.path });
    assert.equal(res.code, 0, res.stderr);
  }
  return dir;
}

Deno.test("read-only reports leave an existing store byte for byte as it was", async () => {
  await using dir = await storedProject();
  const bd = `${dir.path}/.buildrunner`;
  const before = { files: await listing(bd), db: await digest(`${bd}/br.db`) };
  assert.ok(!before.files.includes("br.db-wal"), "the store was closed cleanly");
  for (const args of REPORTS) {
    const res = await br(args, { cwd: dir.path });
    assert.equal(res.code, 0, `${args.join(" ")}: ${res.stderr}`);
  }
  assert.deepEqual({ files: await listing(bd), db: await digest(`${bd}/br.db`) }, before);
});

/**
 * Runs `br` as a subprocess with `.buildrunner/` read-only: a read-only bind mount in a
 * private mount namespace when running as root (root ignores file modes), else `chmod a-w`.
 * Returns null (after printing why) when neither can be arranged.
 */
async function brReadOnly(dir: string, args: string[]): Promise<BrRun | null> {
  const bd = `${dir}/.buildrunner`;
  const env = { BR_HOME: `${dir}/.br-home`, NO_COLOR: "1", PATH: Deno.env.get("PATH") ?? "" };
  const dec = new TextDecoder();
  if (Deno.uid() !== 0) {
    const modes = new Map<string, number>();
    for (const name of ["", ...await listing(bd)]) {
      const path = name ? `${bd}/${name}` : bd;
      const mode = (await Deno.stat(path)).mode! & 0o7777;
      modes.set(path, mode);
      await Deno.chmod(path, mode & ~0o222);
    }
    try {
      const out = await new Deno.Command(Deno.execPath(), {
        args: brArgv(args),
        cwd: dir,
        env,
        stdout: "piped",
        stderr: "piped",
      }).output();
      return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
    } finally {
      for (const [path, mode] of modes) await Deno.chmod(path, mode);
    }
  }
  const script = 'mount --bind -o ro "$1" "$1" || exit 99; shift; exec "$@"';
  let out: Deno.CommandOutput;
  try {
    out = await new Deno.Command("unshare", {
      args: ["-m", "sh", "-c", script, "sh", bd, Deno.execPath(), ...brArgv(args)],
      cwd: dir,
      env,
      stdout: "piped",
      stderr: "piped",
    }).output();
  } catch (err) {
    console.log(`skipped: cannot run unshare (${(err as Error).message})`);
    return null;
  }
  if (out.code === 99) {
    console.log(`skipped: cannot mount read-only (${dec.decode(out.stderr).trim()})`);
    return null;
  }
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("read-only reports read the store of a read-only .buildrunner/", async () => {
  await using dir = await storedProject();
  const bd = `${dir.path}/.buildrunner`;
  const before = { files: await listing(bd), db: await digest(`${bd}/br.db`) };
  const run = async (...args: string[]) => {
    const res = await brReadOnly(dir.path, args);
    if (res) assert.equal(res.code, 0, `${args.join(" ")}: ${res.stderr}`);
    return res;
  };
  const budgets = await run("cost", "budget", "list", "--json");
  if (!budgets) return;
  assert.deepEqual(JSON.parse(budgets.stdout).map((b: { name: string }) => b.name), ["daily"]);
  const cost = await run("cost", "summary", "--json");
  assert.equal(JSON.parse(cost!.stdout).totals.cost_usd, 0);
  const summary = await run("telemetry", "summary", "--json");
  assert.ok(JSON.parse(summary!.stdout).events >= 1);
  const events = await run("telemetry", "events", "--json", "--type", "feature.added");
  assert.deepEqual(JSON.parse(events!.stdout).map((e: { feature: string }) => e.feature), [
    "login",
  ]);
  assert.deepEqual(JSON.parse((await run("parallel", "list", "--json"))!.stdout), []);
  assert.equal(JSON.parse((await run("parallel", "status", "--json"))!.stdout).run, null);
  assert.deepEqual({ files: await listing(bd), db: await digest(`${bd}/br.db`) }, before);
});

Deno.test("a write on a read-only .buildrunner/ still fails with exit 8", async () => {
  await using dir = await storedProject();
  const res = await brReadOnly(dir.path, ["cost", "budget", "set", "weekly", "9"]);
  if (!res) return;
  assert.equal(res.code, 8, res.stderr);
  assert.match(res.stderr, /^error: Cannot open the store .*br\.db/m);
});

Deno.test("openSqliteStore({readOnly}) creates nothing, writes nothing and refuses an old schema", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/br.db`;
  await assert.rejects(
    openSqliteStore(path, { readOnly: true }),
    (e) => e instanceof BrError && e.exitCode === 8,
  );
  assert.deepEqual(await listing(dir.path), []);
  const old = await openSqliteStore(path, { migrations: MIGRATIONS.slice(0, 1) });
  await old.close();
  await assert.rejects(
    openSqliteStore(path, { readOnly: true }),
    (e) => e instanceof BrError && /read-only and older than this br/.test(e.message),
  );
  const current = await openSqliteStore(path);
  await current.run("INSERT INTO meta (key, value) VALUES ('k', 'v')");
  await current.close();
  const before = await digest(path);
  const ro = await openSqliteStore(path, { readOnly: true });
  assert.equal(
    (await ro.get<{ value: string }>("SELECT value FROM meta WHERE key = 'k'"))?.value,
    "v",
  );
  await assert.rejects(ro.run("INSERT INTO meta (key, value) VALUES ('x', 'y')"), BrError);
  await ro.close();
  assert.equal(await digest(path), before);
});
