import assert from "node:assert/strict";
import { join } from "node:path";
import { br, brArgv, brProcess, outputReader, tempDir } from "../helpers.ts";

Deno.test("br dashboard --watch prints the view again when a project changes", async () => {
  await using tmp = await tempDir();
  const env = { BR_HOME: join(tmp.path, "home"), NO_COLOR: "1" };
  const app = join(tmp.path, "app");
  await Deno.mkdir(app);
  assert.equal((await br(["init", "--name", "app"], { cwd: app, env })).code, 0);
  const child = new Deno.Command(Deno.execPath(), {
    args: brArgv(["dashboard", "--watch", "--roots", tmp.path, "--view", "detail"]),
    cwd: tmp.path,
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const { until, cancel } = outputReader(child.stdout, "watch");
  try {
    await until(/features\s+0 total/);
    const add = await brProcess(["feature", "add", "Login"], { cwd: app, env });
    assert.equal(add.code, 0, add.stderr);
    await until(/features\s+1 total, 0 complete \(0%\)/);
  } finally {
    child.kill("SIGTERM");
    await cancel();
    const status = await child.status;
    await child.stderr.cancel().catch(() => {});
    // SIGTERM is its normal end: the watcher closes and br exits 0.
    assert.equal(status.code, 0);
  }
});

Deno.test("br dashboard serve refuses a wildcard address and warns off loopback", async (t) => {
  await using tmp = await tempDir();
  await t.step("0.0.0.0 is a usage error naming the fix", async () => {
    const res = await br(["dashboard", "serve", "--roots", tmp.path, "--host", "0.0.0.0"], {
      cwd: tmp.path,
    });
    assert.equal(res.code, 2);
    assert.match(res.stderr, /Cannot serve on "0\.0\.0\.0"/);
    assert.match(res.stderr, /hint: pass the address clients use/);
  });
  const lan = Deno.networkInterfaces().find((n) =>
    n.family === "IPv4" && !/^127\./.test(n.address)
  );
  await t.step({
    name: "a non-loopback address prints a warning and only its own Host is served",
    ignore: !lan,
    fn: async () => {
      const child = new Deno.Command(Deno.execPath(), {
        args: brArgv([
          "dashboard",
          "serve",
          "--roots",
          tmp.path,
          "--host",
          lan!.address,
          "--port",
          "0",
        ]),
        cwd: tmp.path,
        env: { BR_HOME: join(tmp.path, "home"), NO_COLOR: "1" },
        stdout: "piped",
        stderr: "piped",
      }).spawn();
      const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
      let out = "";
      try {
        while (!/Dashboard: (\S+)/.test(out)) {
          const { value, done } = await reader.read();
          if (done) throw new Error(`serve ended: ${out}`);
          out += value;
        }
        const url = new URL(/Dashboard: (\S+)/.exec(out)![1]);
        assert.equal(url.hostname, lan!.address);
        const ok = await fetch(new URL("/api/overview", url));
        assert.equal(ok.status, 200);
        await ok.body?.cancel();
        // The same server reached under another name is refused.
        const conn = await Deno.connect({ hostname: lan!.address, port: Number(url.port) });
        await conn.write(new TextEncoder().encode(
          `GET /api/overview HTTP/1.1\r\nHost: localhost:${url.port}\r\nConnection: close\r\n\r\n`,
        ));
        const buf = new Uint8Array(256);
        const n = (await conn.read(buf)) ?? 0;
        conn.close();
        assert.match(new TextDecoder().decode(buf.subarray(0, n)), /^HTTP\/1\.1 403/);
      } finally {
        child.kill("SIGTERM");
        await reader.cancel().catch(() => {});
        await child.status;
      }
      const err = await new Response(child.stderr).text();
      assert.match(
        err,
        new RegExp(`warning: serving on ${lan!.address.replaceAll(".", "\\.")}, not loopback`),
      );
    },
  });
  if (!lan) {
    console.log(
      "dashboard non-loopback test skipped: this machine has no IPv4 address but loopback",
    );
  }
});
