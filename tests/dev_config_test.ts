/**
 * The runtime's deno.json and lockfile hold only what `br` imports: Deno downloads every npm
 * package of the lockfile on a first run, so a package only tests, benchmarks or scripts use
 * lives in tests/deno.json (with its own lockfile), which repeats the runtime's imports.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { DENO_JSON } from "./helpers.ts";

const DEV_JSON = fileURLToPath(new URL("./deno.json", import.meta.url));
const ROOT = fileURLToPath(new URL("../", import.meta.url));
/** The runtime's entry points: the CLI, the library, and the worker modules. */
const ENTRIES = [
  "main.ts",
  "mod.ts",
  "plugin.ts",
  "src/cost/_read_worker.ts",
  "src/cost/_import_worker.ts",
  "src/security/_scan_worker.ts",
];

interface Config {
  imports: Record<string, string>;
  lock?: string;
}

function readJson<T>(path: string): T {
  return JSON.parse(Deno.readTextFileSync(path)) as T;
}

/** The package name of an `npm:` specifier (`npm:@a/b@^1` → `@a/b`). */
function npmName(specifier: string): string {
  const rest = specifier.replace(/^npm:\/?/, "");
  const at = rest.indexOf("@", rest.startsWith("@") ? 1 : 0);
  const name = at < 0 ? rest : rest.slice(0, at);
  return name.split("/").slice(0, rest.startsWith("@") ? 2 : 1).join("/");
}

Deno.test("tests/deno.json repeats every runtime import unchanged and has its own lockfile", () => {
  const root = readJson<Config>(DENO_JSON);
  const dev = readJson<Config>(DEV_JSON);
  for (const [name, spec] of Object.entries(root.imports)) {
    assert.equal(
      dev.imports[name],
      spec,
      `tests/deno.json: "imports.${name}" must be "${spec}"`,
    );
  }
  assert.equal(dev.lock, "./deno.lock");
});

Deno.test("every package of the runtime's deno.json and lockfile is reached from the runtime's entry points", async () => {
  // `deno info` lists every module of the graph, dynamically imported ones included: each npm
  // package the runtime can load appears as an npm: specifier in some module's dependencies.
  const used = new Set<string>();
  for (const entry of ENTRIES) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", "--config", DENO_JSON, entry],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
    const text = new TextDecoder().decode(out.stdout);
    for (const m of text.matchAll(/"(npm:[^"]+)"/g)) used.add(npmName(m[1]));
  }
  const root = readJson<Config>(DENO_JSON);
  for (const [name, spec] of Object.entries(root.imports)) {
    if (!spec.startsWith("npm:")) continue;
    assert.ok(
      used.has(npmName(spec)),
      `deno.json: "imports.${name}" is not imported by the runtime; move it to tests/deno.json`,
    );
  }
  const lock = readJson<{ specifiers: Record<string, string> }>(
    `${ROOT}deno.lock`,
  );
  const declared = new Set(Object.values(root.imports));
  for (const spec of Object.keys(lock.specifiers)) {
    assert.ok(
      declared.has(spec) || used.has(npmName(spec)),
      `deno.lock: "${spec}" is not a runtime package; it belongs in tests/deno.lock`,
    );
  }
});

Deno.test("tests/doc_tests.json maps every entry point of the package to its file, and the tests' imports", () => {
  const root = readJson<Config & { exports: Record<string, string>; name: string }>(DENO_JSON);
  const dev = readJson<Config>(DEV_JSON);
  const doc = readJson<Config>(fileURLToPath(new URL("./doc_tests.json", import.meta.url)));
  const expected: Record<string, string> = {};
  for (const [sub, file] of Object.entries(root.exports)) {
    expected[sub === "." ? root.name : `${root.name}${sub.slice(1)}`] = `../${file.slice(2)}`;
  }
  Object.assign(expected, dev.imports);
  assert.deepEqual(doc.imports, expected);
  // Every entry point's examples run (deno task doc) and are linted (deno task lint).
  const tasks = (readJson<{ tasks: Record<string, string> }>(DENO_JSON)).tasks;
  for (const file of Object.values(root.exports)) {
    assert.ok(tasks.doc.includes(` ${file.slice(2)}`), `deno task doc: add ${file}`);
    assert.ok(tasks.lint.includes(` ${file.slice(2)}`), `deno task lint: add ${file}`);
  }
});

Deno.test("the Python parser and the LR runtime whose private field br patches are pinned exactly", () => {
  const root = readJson<Config>(DENO_JSON);
  for (const name of ["@lezer/python", "@lezer/lr"]) {
    assert.match(root.imports[name] ?? "", /^npm:@lezer\/[a-z]+@\d+\.\d+\.\d+$/, name);
  }
  // The parser runs on that very runtime: the lockfile holds one @lezer/lr, the pinned one.
  const lock = readJson<{ npm: Record<string, unknown> }>(`${ROOT}deno.lock`);
  const lr = Object.keys(lock.npm).filter((k) => k.startsWith("@lezer/lr@"));
  assert.deepEqual(lr, [root.imports["@lezer/lr"].replace(/^npm:/, "")]);
});
