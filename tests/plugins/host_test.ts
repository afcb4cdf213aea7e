import assert from "node:assert/strict";
import { join } from "node:path";
import { br, brProcess, FIXTURES, tempProject } from "../helpers.ts";

const PLUGINS = join(FIXTURES, "plugins");

async function withProbe(grant: string[] = ["--yes"]) {
  const dir = await tempProject();
  await Deno.mkdir(join(dir.path, "docs"));
  await Deno.mkdir(join(dir.path, "out"));
  await Deno.writeTextFile(join(dir.path, "docs", "a.txt"), "inside");
  await Deno.writeTextFile(join(dir.path, "secret.txt"), "outside the grant");
  const res = await br(["plugin", "add", join(PLUGINS, "probe.js"), ...grant], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  return dir;
}

Deno.test("br plugin add refuses to guess a grant without a terminal (exit 2, nothing written)", async () => {
  await using dir = await tempProject();
  const res = await br(["plugin", "add", join(PLUGINS, "probe.js")], { cwd: dir.path });
  assert.equal(res.code, 2, res.stderr);
  assert.match(res.stderr, /requests:\n {2}read {2}docs/);
  assert.match(res.stderr, /no terminal to ask\nhint: pass --yes/);
  await assert.rejects(Deno.stat(join(dir.path, ".buildrunner", "plugins.yaml")));
  await assert.rejects(Deno.stat(join(dir.path, ".buildrunner", "plugins", "probe.js")));
});

Deno.test("br plugin add --yes records what the manifest requests and the bundle's sha256", async () => {
  await using dir = await withProbe();
  const bundle = await Deno.readFile(join(dir.path, ".buildrunner", "plugins", "probe.js"));
  assert.deepEqual(bundle, await Deno.readFile(join(PLUGINS, "probe.js")));
  const res = await br(["plugin", "list", "--json"], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  const [entry] = JSON.parse(res.stdout);
  assert.equal(entry.name, "probe");
  assert.equal(entry.version, "1.2.0");
  assert.deepEqual(entry.grant, {
    read: ["docs"],
    write: ["out"],
    net: ["127.0.0.1"],
    env: ["PROBE_TOKEN"],
    features: [],
  });
  assert.deepEqual(entry.events, ["feature.added"]);
  const hash = await crypto.subtle.digest("SHA-256", bundle);
  assert.equal(
    entry.sha256,
    [...new Uint8Array(hash)].map((b) => b.toString(16).padStart(2, "0")).join(""),
  );
  assert.equal(entry.source, join(PLUGINS, "probe.js"));
});

Deno.test("br plugin add --grant may narrow the request, never widen it", async () => {
  await using dir = await tempProject();
  const wide = await br(
    ["plugin", "add", join(PLUGINS, "probe.js"), "--grant", "read=docs,net=example.com"],
    { cwd: dir.path },
  );
  assert.equal(wide.code, 2);
  assert.match(
    wide.stderr,
    /Cannot grant net=example.com to plugin "probe": its manifest does not request it/,
  );
  const outside = await br(["plugin", "add", join(PLUGINS, "probe.js"), "--grant", "read=../x"], {
    cwd: dir.path,
  });
  assert.equal(outside.code, 2);
  assert.match(outside.stderr, /Cannot grant read=..\/x: it is outside the project/);
  const narrow = await br(
    ["plugin", "add", join(PLUGINS, "probe.js"), "--grant", "read=docs/sub"],
    {
      cwd: dir.path,
    },
  );
  assert.equal(narrow.code, 0, narrow.stderr);
  const info = JSON.parse(
    (await br(["plugin", "info", "probe", "--json"], { cwd: dir.path })).stdout,
  );
  assert.deepEqual(info.grant, { read: ["docs/sub"], write: [], net: [], env: [], features: [] });
  // Grant paths are relative to the project root wherever the command runs.
  await Deno.mkdir(join(dir.path, "src"));
  assert.equal((await br(["plugin", "remove", "probe"], { cwd: dir.path })).code, 0);
  const sub = await br(["plugin", "add", join(PLUGINS, "probe.js"), "--grant", "read=docs"], {
    cwd: join(dir.path, "src"),
  });
  assert.equal(sub.code, 0, sub.stderr);
  const again = await br(["plugin", "info", "probe", "--json"], { cwd: dir.path });
  assert.deepEqual(JSON.parse(again.stdout).grant.read, ["docs"]);
});

Deno.test("a plugin command runs with exactly its grant; every other access is denied with exit 6", async (t) => {
  await using dir = await withProbe();
  const run = (args: string[], env: Record<string, string> = {}) =>
    br(["probe", ...args], { cwd: dir.path, env });
  await t.step("granted: output streams, then the returned text", async () => {
    const res = await run(["hello", "a", "b"]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, "streamed\nhello a b from demo\n");
    assert.match(res.stderr, /\[probe\] logged/);
  });
  await t.step("granted read inside, denied outside", async () => {
    assert.equal((await run(["read", join(dir.path, "docs", "a.txt")])).stdout, "inside\n");
    const res = await run(["read", join(dir.path, "secret.txt")]);
    assert.equal(res.code, 6);
    assert.match(res.stderr, /Plugin "probe" was denied an access: Requires read access/);
  });
  await t.step("granted write inside, denied outside", async () => {
    assert.equal((await run(["write", join(dir.path, "out", "x.txt")])).code, 0);
    assert.equal(await Deno.readTextFile(join(dir.path, "out", "x.txt")), "written");
    const res = await run(["write", join(dir.path, "docs", "x.txt")]);
    assert.equal(res.code, 6);
    assert.match(res.stderr, /denied an access: Requires write access/);
    await assert.rejects(Deno.stat(join(dir.path, "docs", "x.txt")));
  });
  await t.step("granted env variable, denied the others", async () => {
    const ok = await run(["env", "PROBE_TOKEN"], { PROBE_TOKEN: "t0k" });
    assert.equal(ok.stdout, "t0k\n");
    const res = await run(["env", "HOME"]);
    assert.equal(res.code, 6);
    assert.match(res.stderr, /denied an access: Requires env access to "HOME"/);
  });
  for (
    const [command, pattern] of [
      ["spawn", /denied an access: Requires run access/],
      ["ffi", /denied an access: Requires ffi access/],
      ["exit", /Plugin "probe" failed: Deno.exit\(0\) is not allowed in a plugin/],
      ["throw", /Plugin "probe" failed: probe broke/],
      ["flood", /wrote more output than allowed/],
    ] as const
  ) {
    await t.step(`${command}: contained, exit 6`, async () => {
      const res = await run([command]);
      assert.equal(res.code, 6, res.stderr);
      assert.match(res.stderr, pattern);
    });
  }
  await t.step("a plugin's messages and log lines stay on one line each", async () => {
    const res = await run(["multiline"]);
    assert.equal(res.code, 6);
    assert.equal(
      res.stderr.split("\n")[0] + "\n" + res.stderr.split("\n")[1],
      'warn: [probe] two lines\nerror: Plugin "probe" failed: first second [2J',
    );
  });
  await t.step("its own exit code passes through", async () => {
    assert.equal((await run(["code", "3"])).code, 3);
  });
  await t.step("net to a granted host works", async () => {
    await using server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () => new Response("pong"),
    );
    const res = await run(["fetch", `http://127.0.0.1:${server.addr.port}/`]);
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stdout, "pong\n");
  });
});

Deno.test("net to a host the grant does not name is denied (exit 6)", async () => {
  await using dir = await withProbe(["--grant", "read=docs"]);
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("pong"),
  );
  const res = await br(["probe", "fetch", `http://127.0.0.1:${server.addr.port}/`], {
    cwd: dir.path,
  });
  assert.equal(res.code, 6);
  assert.match(res.stderr, /denied an access: Requires net access to "127.0.0.1:/);
});

Deno.test("a plugin command that hangs is stopped at the timeout (exit 6) and br exits", async () => {
  await using dir = await withProbe();
  const res = await brProcess(["probe", "hang"], {
    cwd: dir.path,
    env: { BR_PLUGIN_TIMEOUT_MS: "500" },
  });
  assert.equal(res.code, 6);
  assert.match(res.stderr, /Plugin "probe" did not answer within 500 ms/);
});

Deno.test("a bundle changed since it was granted is refused until br plugin update grants it again", async () => {
  await using dir = await withProbe();
  const bundle = join(dir.path, ".buildrunner", "plugins", "probe.js");
  await Deno.writeTextFile(bundle, (await Deno.readTextFile(bundle)).replace("hello ", "HELLO "));
  const res = await br(["probe", "hello"], { cwd: dir.path });
  assert.equal(res.code, 6);
  assert.match(res.stderr, /Cannot run plugin "probe": its bundle changed since it was granted/);
  assert.match(res.stderr, /hint: run "br plugin update probe"/);
  const up = await br(["plugin", "update", "probe"], { cwd: dir.path });
  assert.equal(up.code, 0, up.stderr);
  const again = await br(["probe", "hello"], { cwd: dir.path });
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /hello {2}from demo/);
});

Deno.test("a plugin for another API major version is refused with a clear error", async () => {
  await using dir = await tempProject();
  const res = await br(["plugin", "add", join(PLUGINS, "api2.js"), "--yes"], { cwd: dir.path });
  assert.equal(res.code, 6);
  assert.match(res.stderr, /targets plugin API version 2; this br speaks 1/);
});

Deno.test("bus events reach the plugins that handle them, with their key-value store", async () => {
  await using dir = await withProbe();
  const add = await brProcess(["feature", "add", "Login"], { cwd: dir.path });
  assert.equal(add.code, 0, add.stderr);
  assert.equal(add.stderr, "");
  const kv = await brProcess(["probe", "kv", "last-added"], { cwd: dir.path });
  assert.equal(kv.code, 0, kv.stderr);
  assert.equal(kv.stdout, '"login"\n');
  const features = await br(["probe", "features"], { cwd: dir.path });
  assert.equal(features.stdout, "1\n");
});

Deno.test("an event handler that hangs or throws costs one warning line, never the command", async () => {
  await using dir = await tempProject();
  const add = await br(["plugin", "add", join(PLUGINS, "stuck_handler.js"), "--yes"], {
    cwd: dir.path,
  });
  assert.equal(add.code, 0, add.stderr);
  const env = { BR_PLUGIN_TIMEOUT_MS: "300" };
  const res = await brProcess(["feature", "add", "Login"], { cwd: dir.path, env });
  assert.equal(res.code, 0, res.stderr);
  const lines = res.stderr.trim().split("\n");
  assert.equal(lines.length, 1, res.stderr);
  assert.match(
    lines[0],
    /^warning: a handler of feature.added failed: Plugin "stuck" did not answer within 300 ms/,
  );
  const list = await br(["feature", "list", "--json"], { cwd: dir.path });
  assert.equal(JSON.parse(list.stdout).length, 1);
  const upd = await brProcess(["feature", "update", "login", "--priority", "high"], {
    cwd: dir.path,
    env,
  });
  assert.equal(upd.code, 0, upd.stderr);
  assert.match(
    upd.stderr,
    /^warning: a handler of feature.updated failed: Plugin "stuck" failed: stuck broke\n$/,
  );
});

Deno.test("commands whose events no plugin handles never read a plugin's bundle", async () => {
  await using dir = await tempProject();
  const add = await br(["plugin", "add", join(PLUGINS, "quiet.js"), "--yes"], { cwd: dir.path });
  assert.equal(add.code, 0, add.stderr);
  // A bundle that would be refused (its hash changed) if anything tried to run it.
  await Deno.writeTextFile(join(dir.path, ".buildrunner", "plugins", "quiet.js"), "garbage");
  for (const args of [["status"], ["feature", "add", "Login"], ["generate"]]) {
    const res = await br(args, { cwd: dir.path });
    assert.equal(res.code, 0, res.stderr);
    assert.equal(res.stderr, "", args.join(" "));
  }
});

Deno.test("plugin commands appear in br --help and in completions", async () => {
  await using dir = await withProbe();
  const help = await br(["--help"], { cwd: dir.path });
  assert.match(help.stdout, /probe +Plugin: Tries every kind of access \(1.2.0\)/);
  const complete = await br(["__complete", "probe", "he"], { cwd: dir.path });
  assert.match(complete.stdout, /^hello$/m);
  const plugins = await br(["__complete", "plugin", ""], { cwd: dir.path });
  assert.match(plugins.stdout, /^add$/m);
});

Deno.test("br plugin remove deletes the entry and the bundle", async () => {
  await using dir = await withProbe();
  const res = await br(["plugin", "remove", "probe"], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  await assert.rejects(Deno.stat(join(dir.path, ".buildrunner", "plugins", "probe.js")));
  assert.equal((await br(["plugin", "list", "--json"], { cwd: dir.path })).stdout, "[]\n");
  const again = await br(["plugin", "remove", "probe"], { cwd: dir.path });
  assert.equal(again.code, 4);
  assert.match(again.stderr, /Cannot find plugin "probe"/);
});

Deno.test("a corrupt plugins.yaml is refused naming the file and field (exit 3), never rewritten", async () => {
  await using dir = await withProbe();
  const file = join(dir.path, ".buildrunner", "plugins.yaml");
  const text = (await Deno.readTextFile(file)).replace(/sha256: \w+/, "sha256: nope");
  await Deno.writeTextFile(file, text);
  const res = await br(["plugin", "list"], { cwd: dir.path });
  assert.equal(res.code, 3);
  assert.match(
    res.stderr,
    /Invalid .buildrunner\/plugins.yaml: "plugins.0.sha256" must be 64 hex digits/,
  );
  const add = await br(["plugin", "add", join(PLUGINS, "quiet.js"), "--yes"], { cwd: dir.path });
  assert.equal(add.code, 3);
  assert.equal(await Deno.readTextFile(file), text);
  await Deno.writeFile(file, new Uint8Array([0x76, 0xff, 0x0a]));
  const bad = await br(["plugin", "list"], { cwd: dir.path });
  assert.equal(bad.code, 3);
  assert.match(bad.stderr, /not valid UTF-8/);
});

Deno.test("a plugin granted a path outside the project in plugins.yaml is refused (exit 3)", async () => {
  await using dir = await withProbe();
  const file = join(dir.path, ".buildrunner", "plugins.yaml");
  await Deno.writeTextFile(
    file,
    (await Deno.readTextFile(file)).replace("read: [docs]", "read: [../..]"),
  );
  const res = await br(["plugin", "run", "probe", "hello"], { cwd: dir.path });
  assert.equal(res.code, 3);
  assert.match(res.stderr, /"plugins.0.grant.read.0" \("..\/.."\) is outside the project/);
});

Deno.test("br plugin add jsr: fails with one line naming the host when JSR is unreachable", async () => {
  await using dir = await tempProject();
  const res = await br(["plugin", "add", "jsr:@buildrunner/none", "--yes"], {
    cwd: dir.path,
    env: { BR_JSR_URL: "http://127.0.0.1:9" },
  });
  assert.equal(res.code, 7, res.stderr);
  assert.match(
    res.stderr,
    /^error: Cannot fetch plugin "jsr:@buildrunner\/none" from 127.0.0.1:9: .+\nhint: /,
  );
});

Deno.test("a plugin from an npm: package (npm pack, served by a registry on 127.0.0.1) loads", async () => {
  await using dir = await tempProject();
  const pkg = join(dir.path, "pkg");
  await Deno.mkdir(join(pkg, "dist"), { recursive: true });
  await Deno.copyFile(join(PLUGINS, "quiet.js"), join(pkg, "dist", "plugin.js"));
  await Deno.writeTextFile(
    join(pkg, "package.json"),
    JSON.stringify({ name: "@acme/quiet-plugin", version: "1.0.0", exports: "./dist/plugin.js" }),
  );
  let packed: Deno.CommandOutput;
  try {
    packed = await new Deno.Command("npm", {
      args: ["pack", "--silent"],
      cwd: pkg,
      stdout: "piped",
      stderr: "piped",
    })
      .output();
  } catch {
    console.log("skipped: npm is not installed");
    return;
  }
  assert.equal(packed.code, 0, new TextDecoder().decode(packed.stderr));
  const tarball = await Deno.readFile(join(pkg, new TextDecoder().decode(packed.stdout).trim()));
  let base = "";
  await using server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (req) => {
    const url = new URL(req.url);
    if (url.pathname === "/@acme%2fquiet-plugin") {
      return Response.json({
        "dist-tags": { latest: "1.0.0" },
        versions: { "1.0.0": { dist: { tarball: `${base}/quiet-plugin-1.0.0.tgz` } } },
      });
    }
    if (url.pathname === "/quiet-plugin-1.0.0.tgz") return new Response(tarball);
    return new Response("not found", { status: 404 });
  });
  base = `http://127.0.0.1:${server.addr.port}`;
  const res = await br(["plugin", "add", "npm:@acme/quiet-plugin", "--yes", "--json"], {
    cwd: dir.path,
    env: { NPM_CONFIG_REGISTRY: `http://127.0.0.1:${server.addr.port}/` },
  });
  assert.equal(res.code, 0, res.stderr);
  const entry = JSON.parse(res.stdout);
  assert.equal(entry.name, "quiet");
  assert.equal(entry.source, "npm:@acme/quiet-plugin@1.0.0");
  assert.deepEqual(entry.events, ["build.completed"]);
});

Deno.test("a compiled br runs a fixture plugin", async () => {
  const bin = new URL("../../dist/br", import.meta.url).pathname;
  if (!(await Deno.stat(bin).then((s) => s.isFile, () => false))) {
    console.log(
      'skipped: no compiled br at dist/br ("deno task compile" needs the Deno runtime download)',
    );
    return;
  }
  await using dir = await tempProject();
  const run = async (...args: string[]) => {
    const out = await new Deno.Command(bin, {
      args,
      cwd: dir.path,
      env: { NO_COLOR: "1", BR_HOME: `${dir.path}/.br-home` },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const dec = new TextDecoder();
    return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
  };
  const add = await run("plugin", "add", join(PLUGINS, "probe.js"), "--yes");
  assert.equal(add.code, 0, add.stderr);
  const hello = await run("probe", "hello", "x");
  assert.equal(hello.code, 0, hello.stderr);
  assert.equal(hello.stdout, "streamed\nhello x from demo\n");
  assert.equal((await run("probe", "spawn")).code, 6);
});

Deno.test("br plugin update keeps the grant unless the new bundle asks for more", async () => {
  await using dir = await tempProject();
  const source = join(dir.path, "vendor", "quiet.js");
  await Deno.mkdir(join(dir.path, "vendor"));
  const text = await Deno.readTextFile(join(PLUGINS, "quiet.js"));
  await Deno.writeTextFile(source, text);
  const add = await br(["plugin", "add", "vendor/quiet.js", "--yes"], { cwd: dir.path });
  assert.equal(add.code, 0, add.stderr);
  await Deno.writeTextFile(
    source,
    text.replace("permissions: {}", 'permissions: { env: ["TOKEN"] }'),
  );
  const asks = await br(["plugin", "update", "quiet"], { cwd: dir.path });
  assert.equal(asks.code, 2);
  assert.match(asks.stderr, /requests:\n(.*\n){3} {2}env {3}TOKEN\n/);
  assert.match(asks.stderr, /Cannot update plugin "quiet" without a grant: no terminal to ask/);
  const yes = await br(["plugin", "update", "quiet", "--yes", "--json"], { cwd: dir.path });
  assert.equal(yes.code, 0, yes.stderr);
  const entry = JSON.parse(yes.stdout);
  assert.equal(entry.source, "vendor/quiet.js");
  assert.deepEqual(entry.grant.env, ["TOKEN"]);
  await Deno.writeTextFile(source, text.replace("1.0.0", "1.1.0"));
  const kept = await br(["plugin", "update", "quiet", "--json"], { cwd: dir.path });
  assert.equal(kept.code, 0, kept.stderr);
  assert.equal(JSON.parse(kept.stdout).version, "1.1.0");
  assert.deepEqual(JSON.parse(kept.stdout).grant.env, []);
});
