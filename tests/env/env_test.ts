/**
 * `br env detect | template | check` over a small multi-language project: what the code and
 * its config need, the managed block of `.env.example`, and a `.env` checked without any of
 * its values ever appearing in what br prints or writes.
 */
import assert from "node:assert/strict";
import type { EnvCheck, EnvDetection } from "../../src/env/mod.ts";
import { br, type BrRun, tempProject } from "../helpers.ts";

async function write(root: string, path: string, text: string): Promise<void> {
  await Deno.mkdir(`${root}/${path.slice(0, path.lastIndexOf("/") + 1) || "."}`, {
    recursive: true,
  });
  await Deno.writeTextFile(`${root}/${path}`, text);
}

async function fixture(root: string): Promise<void> {
  await write(
    root,
    "src/server.ts",
    'import OpenAI from "npm:openai";\n' +
      'const port = Number(Deno.env.get("PORT") ?? 8000);\n' +
      "const db = process.env.DATABASE_URL;\n" +
      'const mode = process.env["APP_MODE"];\n',
  );
  await write(
    root,
    "app/main.py",
    "import os\nimport boto3\n\n" +
      'REDIS = os.environ["REDIS_URL"]\nLEVEL = os.getenv("LOG_LEVEL", "info")\n',
  );
  await write(
    root,
    "docker-compose.yml",
    "services:\n  db:\n    image: postgres:16\n    environment:\n" +
      "      POSTGRES_PASSWORD: ${DB_PASSWORD}\n  web:\n    build: .\n    environment:\n" +
      '      - API_KEY\n    ports:\n      - "8000:8000"\n',
  );
  await write(root, "prisma/schema.prisma", 'datasource db {\n  url = env("SHADOW_URL")\n}\n');
  await write(root, "node_modules/dep/index.js", "process.env.NOT_MINE;\n");
}

Deno.test("br env detect finds variables in code, compose, Prisma and known SDKs", async () => {
  await using dir = await tempProject();
  await fixture(dir.path);
  const res = await br(["env", "detect", "--json"], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  const found: EnvDetection = JSON.parse(res.stdout);
  assert.deepEqual(found.variables.map((v) => v.name), [
    "API_KEY",
    "APP_MODE",
    "AWS_ACCESS_KEY_ID",
    "AWS_REGION",
    "AWS_SECRET_ACCESS_KEY",
    "DATABASE_URL",
    "DB_PASSWORD",
    "LOG_LEVEL",
    "OPENAI_API_KEY",
    "PORT",
    "REDIS_URL",
    "SHADOW_URL",
  ]);
  const port = found.variables.find((v) => v.name === "PORT")!;
  assert.deepEqual(port.sources, [{ file: "src/server.ts", line: 2, how: "code" }]);
  const redis = found.variables.find((v) => v.name === "REDIS_URL")!;
  assert.deepEqual(redis.sources, [{ file: "app/main.py", line: 4, how: "code" }]);
  assert.deepEqual(
    found.services.map((s) => [s.name, s.image]),
    [["aws", null], ["db", "postgres:16"], ["openai", null], ["web", null]],
  );
  const text = await br(["env", "detect"], { cwd: dir.path });
  assert.match(text.stdout, /PORT {2}src\/server\.ts:2 \(code\)/);
});

Deno.test("br env template keeps the user's lines and rewrites only its block", async () => {
  await using dir = await tempProject();
  await fixture(dir.path);
  await Deno.writeTextFile(`${dir.path}/.env.example`, "# mine\nPORT=8000\nRETRIES=3\n");
  const first = await br(["env", "template", "--json"], { cwd: dir.path });
  assert.equal(first.code, 0, first.stderr);
  const r = JSON.parse(first.stdout);
  assert.equal(r.changed, true);
  assert.deepEqual(r.kept, ["PORT", "RETRIES"]);
  assert.ok(!r.managed.includes("PORT"));
  assert.ok(r.managed.includes("DATABASE_URL"));
  const text = await Deno.readTextFile(`${dir.path}/.env.example`);
  assert.ok(text.startsWith("# mine\nPORT=8000\nRETRIES=3\n\n# >>> br env template"), text);
  assert.match(text, /# src\/server\.ts:3\nDATABASE_URL=\n/);
  // a second run changes nothing; a user line added after the block survives the next one
  assert.equal(
    JSON.parse((await br(["env", "template", "--json"], { cwd: dir.path })).stdout)
      .changed,
    false,
  );
  await Deno.writeTextFile(`${dir.path}/.env.example`, text + "EXTRA=1\n");
  await br(["env", "template"], { cwd: dir.path });
  const after = await Deno.readTextFile(`${dir.path}/.env.example`);
  assert.match(after, /^EXTRA=1$/m);
  assert.equal(after.split("# >>> br env template").length, 2, "one managed block");
});

Deno.test("br env check reports missing, empty and malformed values, never the values", async () => {
  await using dir = await tempProject();
  await fixture(dir.path);
  await Deno.writeTextFile(`${dir.path}/.env.example`, "PORT=8000\nRETRIES=3\n");
  await br(["env", "template"], { cwd: dir.path });
  const values = {
    PORT: "80x80-" + crypto.randomUUID().slice(0, 8),
    DATABASE_URL: "not a url " + crypto.randomUUID(),
    RETRIES: "three-" + crypto.randomUUID().slice(0, 8),
    API_KEY: "sk-" + crypto.randomUUID(),
    REDIS_URL: "redis://cache-" + crypto.randomUUID().slice(0, 8) + ":6379/0",
  };
  await Deno.writeTextFile(
    `${dir.path}/.env`,
    Object.entries(values).map(([k, v]) => `${k}=${v}`).join("\n") + "\nLOG_LEVEL=\n",
  );
  const outputs: BrRun[] = [];
  const run = async (args: string[]) => {
    const r = await br(args, { cwd: dir.path });
    outputs.push(r);
    return r;
  };
  const res = await run(["env", "check", "--json"]);
  assert.equal(res.code, 10, res.stderr);
  const report: EnvCheck = JSON.parse(res.stdout);
  const by = Object.fromEntries(report.problems.map((p) => [p.name, p]));
  assert.equal(by.PORT.problem, "malformed_port");
  assert.equal(by.DATABASE_URL.problem, "malformed_url");
  assert.equal(by.DATABASE_URL.shape, `text, ${values.DATABASE_URL.length} chars`);
  assert.equal(by.RETRIES.problem, "malformed_number");
  assert.equal(by.LOG_LEVEL.problem, "empty");
  assert.equal(by.OPENAI_API_KEY.problem, "missing");
  assert.equal(by.API_KEY, undefined);
  assert.equal(by.REDIS_URL, undefined);
  const text = await run(["env", "check"]);
  assert.equal(text.code, 10);
  assert.match(text.stdout, /malformed port PORT/);
  await run(["env", "detect"]);
  await run(["env", "detect", "--json"]);
  await run(["env", "template"]);
  // the command's own output passes through live; what br records and reports of it is masked
  const piped = await br(
    ["pipe", "--", "sh", "-c", `echo "Error: ${values.API_KEY}" >&2; exit 2`],
    {
      cwd: dir.path,
    },
  );
  assert.equal(piped.code, 2);
  await run(["debug", "--json"]);
  await run(["debug", "--for-agent"]);
  const files = [
    await Deno.readTextFile(`${dir.path}/.env.example`),
    await Deno.readTextFile(`${dir.path}/.buildrunner/context/debug.json`),
  ];
  for (const out of [...outputs.flatMap((o) => [o.stdout, o.stderr]), ...files]) {
    for (const v of Object.values(values)) {
      assert.ok(!out.includes(v), `a value of .env appears in:\n${out}`);
    }
  }
});

Deno.test("br env check without .env.example checks what env detect finds", async () => {
  await using dir = await tempProject();
  await write(dir.path, "main.py", 'import os\nos.getenv("ONLY_ONE")\n');
  const missing = await br(["env", "check", "--json"], { cwd: dir.path });
  assert.equal(missing.code, 10);
  const report: EnvCheck = JSON.parse(missing.stdout);
  assert.equal(report.expected_from, "env detect");
  assert.equal(report.exists, false);
  assert.deepEqual(report.problems.map((p) => [p.name, p.problem]), [["ONLY_ONE", "missing"]]);
  await Deno.writeTextFile(`${dir.path}/.env`, "ONLY_ONE=yes\n");
  assert.equal((await br(["env", "check"], { cwd: dir.path })).code, 0);
});

Deno.test("br env template does not write through a linked .env.example", async () => {
  await using dir = await tempProject();
  await write(dir.path, "main.py", 'import os\nos.getenv("ONLY_ONE")\n');
  await Deno.writeTextFile(`${dir.path}/elsewhere.txt`, "KEEP=1\n");
  await Deno.symlink(`${dir.path}/elsewhere.txt`, `${dir.path}/.env.example`);
  const res = await br(["env", "template"], { cwd: dir.path });
  assert.equal(res.code, 3, res.stderr);
  assert.equal(await Deno.readTextFile(`${dir.path}/elsewhere.txt`), "KEEP=1\n");
});
