import assert from "node:assert/strict";
import { join } from "node:path";
import { writeEvents } from "../../src/core/event_log.ts";
import type { BrEvent } from "../../src/core/events.ts";
import { createProject } from "../../src/core/project.ts";
import { serveDashboard } from "../../src/dashboard/mod.ts";
import { br, brArgv, outputReader, tempDir } from "../helpers.ts";
import { sharedPostgres } from "../postgres.ts";

/** The shared test server's URL, or null (with a printed line) when PostgreSQL is absent. */
async function serverUrl(): Promise<string | null> {
  const server = await sharedPostgres();
  if (!server) console.log("skipped: no PostgreSQL binaries (apt-get install postgresql)");
  return server?.url ?? null;
}

/** A project on the server, under its own key (a fresh schema). */
async function pgProject(parent: string, url: string) {
  const app = join(parent, "app");
  await Deno.mkdir(app, { recursive: true });
  const env = {
    BR_HOME: join(parent, "home"),
    NO_COLOR: "1",
    BR_DATABASE_URL: url,
    BR_PROJECT_KEY: `dash-${crypto.randomUUID()}`,
    BR_DASHBOARD_POLL_MS: "100",
  };
  const init = await br(["init", "--name", "app"], { cwd: app, env });
  assert.equal(init.code, 0, init.stderr);
  return { app, env };
}

/** A failed lint gate, written to the store only (as another machine of the team would). */
async function failGate(app: string, env: Record<string, string>): Promise<void> {
  const project = createProject(app, { env });
  try {
    const event = {
      id: crypto.randomUUID(),
      type: "gate.failed",
      time: new Date().toISOString(),
      session: "other-machine",
      payload: { gate: "lint", counts: { errors: 2 } },
    } as unknown as BrEvent;
    await writeEvents(await project.store(), [event]);
  } finally {
    await project.close();
  }
}

Deno.test("br dashboard --watch on a PostgreSQL store shows a change made only on the server", async () => {
  const url = await serverUrl();
  if (!url) return;
  await using tmp = await tempDir();
  const { app, env } = await pgProject(tmp.path, url);
  const child = new Deno.Command(Deno.execPath(), {
    args: brArgv(["dashboard", "--watch", "--roots", tmp.path, "--view", "alerts"]),
    cwd: tmp.path,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const { until, cancel } = outputReader(child.stdout, "watch");
  try {
    await until(/No alerts: 1 project/);
    await failGate(app, env);
    await until(/gate_failed: last lint gate failed/);
  } finally {
    child.kill("SIGTERM");
    await cancel();
    const status = await child.status;
    await child.stderr.cancel().catch(() => {});
    assert.equal(status.code, 0);
  }
});

Deno.test("br dashboard serve on a PostgreSQL store answers and pushes a change made only on the server", async () => {
  const url = await serverUrl();
  if (!url) return;
  await using tmp = await tempDir();
  const { app, env } = await pgProject(tmp.path, url);
  const server = await serveDashboard({ roots: [tmp.path], depth: 3, env, port: 0 });
  try {
    const overview = async () =>
      (await (await fetch(`${server.url}api/overview`)).json()) as {
        projects: { id: string; health: string; health_rule: string }[];
      };
    assert.equal((await overview()).projects[0].health, "healthy");
    const events = await fetch(`${server.url}events`);
    const stream = events.body!.pipeThrough(new TextDecoderStream()).getReader();
    await failGate(app, env);
    let text = "";
    while (!/event: update/.test(text)) {
      const { value, done } = await stream.read();
      if (done) throw new Error(`event stream ended: ${text}`);
      text += value;
    }
    await stream.cancel();
    const after = (await overview()).projects[0];
    assert.equal(after.health, "warning");
    assert.match(after.health_rule, /gate_failed: last lint gate failed/);
  } finally {
    await server.shutdown();
  }
});
