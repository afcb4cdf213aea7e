/**
 * `deno task compile` and `deno task release`, run for real as subprocesses of this checkout.
 * Where the Deno runtime download (dl.deno.land) is unreachable they fail with one line naming
 * the host and exit 7; where it works, the compiled `br` answers `--version`. Which case applies
 * is read from the result. The release's archives and SHA256SUMS are checked with `tar`,
 * `sha256sum`/`shasum` and `unzip`, on a binary built from a local runtime (DENORT_BIN).
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import denoJson from "../../deno.json" with { type: "json" };
import { tempDir } from "../helpers.ts";
import { downloadFailure } from "../../scripts/_compile.ts";
import { tarGz, zip } from "../../scripts/_archive.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** A compile type-checks main.ts first: minutes on a cold cache and a busy machine. */
const TIMEOUT_MS = 5 * 60_000;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(cmd: string, args: string[], options: Deno.CommandOptions = {}): Promise<Run> {
  const out = await new Deno.Command(cmd, {
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    signal: AbortSignal.timeout(TIMEOUT_MS),
    ...options,
    args,
  }).output();
  const text = (b: Uint8Array) =>
    // deno-lint-ignore no-control-regex
    new TextDecoder().decode(b).replace(/\x1b\[[0-9;]*m/g, "");
  return { code: out.code, stdout: text(out.stdout), stderr: text(out.stderr) };
}

/** `deno task <args>` in the checkout, without a runtime override from the caller's env. */
function task(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = Deno.env.toObject();
  delete base.DENORT_BIN;
  return run(Deno.execPath(), ["task", ...args], {
    cwd: ROOT,
    clearEnv: true,
    env: { ...base, NO_COLOR: "1", ...env },
  });
}

/** Asserts the one-line download error: no cause chain, no stack backtrace. */
function assertDownloadError(res: Run) {
  assert.equal(res.code, 7, res.stderr);
  const lines = res.stderr.trim().split("\n").filter((l) => !l.startsWith("Task "));
  const errors = lines.filter((l) => l.startsWith("error:"));
  assert.equal(errors.length, 1, res.stderr);
  assert.match(
    errors[0],
    /^error: Cannot download the Deno runtime from dl\.deno\.land: \S.*$/,
    res.stderr,
  );
  assert.match(lines.at(-1)!, /^hint: allow HTTPS to dl\.deno\.land .*DENORT_BIN/);
  assert.doesNotMatch(res.stderr, /Stack backtrace|Caused by|<unknown>/);
}

Deno.test("deno task compile: one line naming dl.deno.land when the runtime download fails, else a br that runs", async () => {
  await using dir = await tempDir();
  const out = join(dir.path, "br");
  const res = await task(["compile", "--output", out]);
  if (res.code === 0) {
    const exe = Deno.build.os === "windows" ? `${out}.exe` : out;
    const version = await run(exe, ["--version"]);
    assert.equal(version.code, 0, version.stderr);
    assert.equal(version.stdout.trim(), denoJson.version);
  } else {
    assertDownloadError(res);
  }
});

Deno.test("deno task release stops at the first target with the same one line when the download fails", async () => {
  await using dir = await tempDir();
  const probe = await task(["compile", "--output", join(dir.path, "probe")]);
  if (probe.code === 0) {
    console.log(
      "skipped: the Deno runtime download works here (a release would build all targets)",
    );
    return;
  }
  const res = await task(["release", "--out-dir", dir.path]);
  assertDownloadError(res);
  assert.equal(res.stdout.match(/^compiling /gm)?.length, 1, res.stdout);
});

Deno.test("deno task release writes each binary, its archive and SHA256SUMS that the system tools accept", async () => {
  await using dir = await tempDir();
  // Any executable of this system's format stands in for the runtime (a compile appends the
  // program to it); a small one keeps the archive quick.
  const runtime = Deno.build.os === "linux" ? "/usr/bin/true" : Deno.execPath();
  const target = Deno.build.target;
  const res = await task(["release", "--target", target, "--out-dir", dir.path], {
    DENORT_BIN: runtime,
    SOURCE_DATE_EPOCH: "1767225600",
  });
  assert.equal(res.code, 0, res.stderr);
  const base = `br-${denoJson.version}-${target}`;
  const archive = `${base}.tar.gz`;
  const names = [...Deno.readDirSync(dir.path)].map((e) => e.name).sort();
  assert.deepEqual(names, ["SHA256SUMS", base, archive].sort());

  const sums = await Deno.readTextFile(join(dir.path, "SHA256SUMS"));
  assert.deepEqual(sums.trim().split("\n").map((l) => l.split("  ")[1]), [base, archive]);
  const check = await run("sha256sum", ["-c", "SHA256SUMS"], { cwd: dir.path }).catch(() =>
    run("shasum", ["-a", "256", "-c", "SHA256SUMS"], { cwd: dir.path })
  );
  assert.equal(check.code, 0, check.stdout + check.stderr);
  assert.match(check.stdout, new RegExp(`^${archive.replaceAll(".", "\\.")}: OK$`, "m"));

  const list = await run("tar", ["-tzvf", archive], { cwd: dir.path });
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout.trim(), /^-rwxr-xr-x .* br$/);
  await Deno.mkdir(join(dir.path, "x"));
  assert.equal((await run("tar", ["-xzf", `../${archive}`], { cwd: join(dir.path, "x") })).code, 0);
  assert.deepEqual(
    await Deno.readFile(join(dir.path, "x", "br")),
    await Deno.readFile(join(dir.path, base)),
  );
});

Deno.test("the Windows zip holds br.exe, deflated, intact and executable for unzip", async () => {
  await using dir = await tempDir();
  const data = new TextEncoder().encode("MZ fake program ".repeat(5000));
  await Deno.writeFile(join(dir.path, "a.zip"), await zip("br.exe", data, 1767225600));
  const test = await run("unzip", ["-t", "a.zip"], { cwd: dir.path }).catch((e) => e as Error);
  if (test instanceof Error) {
    console.log(`skipped: no unzip (${test.message})`);
    return;
  }
  assert.equal(test.code, 0, test.stdout + test.stderr);
  const info = await run("unzip", ["-Zl", "a.zip"], { cwd: dir.path });
  assert.match(info.stdout, /^-rwxr-xr-x .* defN .* br\.exe$/m, info.stdout);
  assert.equal((await run("unzip", ["-q", "a.zip", "-d", "x"], { cwd: dir.path })).code, 0);
  assert.deepEqual(await Deno.readFile(join(dir.path, "x", "br.exe")), data);
  // A .tar.gz of an empty file and of one ending on a block boundary are read back as well.
  for (const size of [0, 512]) {
    await Deno.writeFile(
      join(dir.path, `t${size}.tgz`),
      await tarGz("br", new Uint8Array(size), 0),
    );
    const listed = await run("tar", ["-tzvf", `t${size}.tgz`], { cwd: dir.path });
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(`^-rwxr-xr-x root/root +${size} .* br$`, "m"));
  }
});

Deno.test("downloadFailure() leaves other compile failures to Deno's own message", () => {
  const typeError = "Check main.ts\nTS2322 [ERROR]: Type 'string' is not assignable to type " +
    "'number'.\n    at file:///x/main.ts:1:7\n\nerror: Type checking failed.\n";
  assert.equal(downloadFailure(typeError), null);
  const notFound = "Download https://dl.deno.land/release/v9.9.9/denort-x86_64-unknown-linux-gnu" +
    ".zip\nerror: Writing deno compile executable to temporary file 'dist/br.tmp'\n\n" +
    "Caused by:\n    0: Setting up base binary.\n    1: Download could not be found, aborting\n";
  assert.deepEqual(downloadFailure(notFound), {
    host: "dl.deno.land",
    reason: "Download could not be found, aborting",
  });
});
