/**
 * One policy path: the library's openProject is a session with the same governance veto and
 * the same telemetry as the command line.
 */
import assert from "node:assert/strict";
import { addFeature, isBrError, openProject, setFeatureStatus } from "../../mod.ts";
import { telemetryEvents } from "../../src/telemetry/mod.ts";
import { br, tempProject } from "../helpers.ts";

async function forbidPlannedToComplete(dir: string): Promise<void> {
  await Deno.writeTextFile(
    `${dir}/.buildrunner/governance.yaml`,
    "transitions:\n  planned: [in_progress]\n",
  );
  assert.equal((await br(["governance", "update"], { cwd: dir })).code, 0);
}

Deno.test("the library refuses a transition governance forbids exactly as the CLI does", async () => {
  await using dir = await tempProject("policy");
  assert.equal((await br(["feature", "add", "Base"], { cwd: dir.path })).code, 0);
  await forbidPlannedToComplete(dir.path);

  const cli = await br(["feature", "complete", "base"], { cwd: dir.path });
  assert.equal(cli.code, 5);

  const project = await openProject({ cwd: dir.path });
  const err = await setFeatureStatus(project, "base", "complete").then(
    () => null,
    (e: unknown) => e,
  );
  await project.close();
  assert.ok(isBrError(err), "the library call must be refused");
  assert.equal(err.exitCode, cli.code);
  assert.equal(`error: ${err.message}\nhint: ${err.hint}\n`, cli.stderr);
  const list = JSON.parse((await br(["feature", "list", "--json"], { cwd: dir.path })).stdout);
  assert.equal(list[0].status, "planned");

  // An edit of governance.yaml that was not recorded is refused the same way (exit 10).
  await Deno.writeTextFile(`${dir.path}/.buildrunner/governance.yaml`, "transitions: {}\n");
  const cliTampered = await br(["feature", "complete", "base"], { cwd: dir.path });
  assert.equal(cliTampered.code, 10);
  const again = await openProject({ cwd: dir.path });
  const tampered = await setFeatureStatus(again, "base", "complete").then(() => null, (e) => e);
  await again.close();
  assert.ok(isBrError(tampered));
  assert.equal(tampered.exitCode, 10);
});

Deno.test("the library records the same events as the CLI, in a session", async () => {
  await using viaCli = await tempProject("cli");
  await using viaLib = await tempProject("lib");
  assert.equal((await br(["feature", "add", "Login"], { cwd: viaCli.path })).code, 0);
  const project = await openProject({ cwd: viaLib.path, command: "feature add" });
  await addFeature(project, { name: "Login" });
  await project.close();

  const types = async (dir: string) => {
    const p = await openProject({ cwd: dir });
    const events = await telemetryEvents(p, { limit: 100 });
    await p.close();
    return events.map((e) => e.type).sort();
  };
  const fromCli = await types(viaCli.path);
  assert.deepEqual(fromCli, ["feature.added", "session.ended", "session.started"]);
  assert.deepEqual(await types(viaLib.path), fromCli);
});
