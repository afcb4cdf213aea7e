import assert from "node:assert/strict";
import { BrError } from "../../src/core/errors.ts";
import { EventBus, type HandlerFailure } from "../../src/core/events.ts";
import { addFeature, initProject, loadFeatures, setFeatureStatus } from "../../mod.ts";
import { createProject } from "../../src/core/project.ts";
import { tempDir } from "../helpers.ts";

Deno.test("bus: async handlers are awaited, failures isolated, slow ones time out", async () => {
  const failures: HandlerFailure[] = [];
  const bus = new EventBus({
    session: "s",
    handlerTimeoutMs: 50,
    onHandlerError: (f) => failures.push(f),
  });
  const seen: string[] = [];
  bus.on("feature.added", async (e) => {
    await new Promise((r) => setTimeout(r, 10));
    seen.push(`slow:${e.payload.id}`);
  });
  bus.on("feature.added", () => {
    throw new Error("boom");
  });
  bus.on("*", (e) => void seen.push(`any:${e.type}`));
  bus.on("feature.added", () => new Promise<void>(() => {})); // never settles
  const event = bus.emit("feature.added", { id: "a", fields: {} }, { feature: "a" });
  assert.equal(event.session, "s");
  assert.equal(event.feature, "a");
  assert.match(event.time, /^\d{4}-\d{2}-\d{2}T.*Z$/);
  await bus.flush();
  assert.deepEqual(seen.sort(), ["any:feature.added", "slow:a"]);
  assert.equal(failures.length, 2);
  assert.match(String((failures[0].error as Error).message), /boom/);
  assert.match(String((failures[1].error as Error).message), /timed out/);
});

Deno.test("bus: a session id made by a function is made once, when first needed", () => {
  let made = 0;
  const bus = new EventBus({ session: () => `s${++made}` });
  assert.equal(made, 0, "not made by the constructor");
  assert.equal(bus.emit("feature.added", { id: "a", fields: {} }).session, "s1");
  assert.equal(bus.session, "s1");
  assert.equal(bus.create("feature.added", { id: "b", fields: {} }).session, "s1");
  assert.equal(made, 1);
});

Deno.test("project: one session id per project, a UUID unless BR_SESSION or the caller names one", async () => {
  await using dir = await tempDir();
  await initProject(dir.path, {});
  const a = createProject(dir.path, { env: {} });
  assert.match(
    a.bus.session,
    /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
  );
  assert.equal(a.bus.session, a.bus.session);
  assert.notEqual(createProject(dir.path, { env: {} }).bus.session, a.bus.session);
  assert.equal(
    createProject(dir.path, { env: { BR_SESSION: "from-env" } }).bus.session,
    "from-env",
  );
  assert.equal(
    createProject(dir.path, { env: { BR_SESSION: "from-env" }, session: "given" }).bus.session,
    "given",
  );
});

Deno.test("bus: a before hook vetoes a mutation before anything is written", async () => {
  await using dir = await tempDir();
  await initProject(dir.path, {});
  const project = createProject(dir.path);
  await addFeature(project, { name: "Login" });
  project.bus.before(
    "feature.completed",
    (e) => e.payload.from === "planned" ? "must be started first" : undefined,
  );
  const before = await Deno.readTextFile(project.paths.features);
  await assert.rejects(setFeatureStatus(project, "login", "complete"), (err: unknown) => {
    assert.ok(err instanceof BrError);
    assert.equal(err.exitCode, 5);
    assert.match(err.message, /Refused feature\.completed: must be started first/);
    return true;
  });
  assert.equal(await Deno.readTextFile(project.paths.features), before);
  await setFeatureStatus(project, "login", "in_progress");
  await setFeatureStatus(project, "login", "complete");
  assert.equal((await loadFeatures(project)).features[0].status, "complete");
  await project.close();
});
