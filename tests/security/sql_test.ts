import assert from "node:assert/strict";
import { scanSql } from "../../src/security/mod.ts";

const rules = (code: string, file: string) =>
  scanSql(code, file).map((f) => `${f.line}:${f.message}`);

Deno.test("scanSql() finds SQL built from strings in TS/JS query calls", async (t) => {
  const hits: [string, string, RegExp][] = [
    ["template literal", "await db.query(`SELECT * FROM users WHERE id = ${id}`);", /template/],
    [
      "concatenation",
      `db.query("SELECT * FROM users WHERE name = '" + name + "'");`,
      /concatenation/,
    ],
    [
      "through a variable",
      'const sql = "DELETE FROM t WHERE id = " + id;\nawait pool.execute(sql);',
      /concatenation/,
    ],
    [
      "multi-line",
      "knex.raw(`\n  UPDATE accounts SET balance = ${b}\n  WHERE id = 1`);",
      /template/,
    ],
    [
      "prisma unsafe",
      "await prisma.$queryRawUnsafe(`SELECT * FROM \"User\" WHERE email = '${email}'`);",
      /template/,
    ],
    [
      "built up with +=",
      'let q = "SELECT * FROM t WHERE 1=1";\nq += " AND name = \'" + name + "\'";\nconn.query(q);',
      /concatenation/,
    ],
  ];
  for (const [name, code, how] of hits) {
    await t.step(name, () => {
      const found = scanSql(code, "src/repo.ts");
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.match(found[0].message, how);
      assert.equal(found[0].rule, "sql-injection");
      assert.match(found[0].fix!, /parameters/);
      assert.equal(found[0].secret_masked, null);
    });
  }
});

Deno.test("scanSql() leaves parameterized and non-query code alone (TS/JS)", () => {
  const misses = [
    'db.query("SELECT * FROM users WHERE id = $1", [id]);',
    "db.query(sql`SELECT * FROM users WHERE id = ${id}`);",
    "db.query(`SELECT * FROM users`);",
    'const q = "SELECT * FROM users WHERE id = ?";\ndb.query(q, [id]);',
    'console.log("SELECT " + x + " FROM y");',
    "const m = /a(b)/.exec(input + suffix);",
    'child.exec("ls " + dir);',
    "db.query(`SELECT * FROM t WHERE id = ${id}`); // br:allow",
  ];
  for (const code of misses) assert.deepEqual(rules(code, "a.js"), [], code);
});

Deno.test("scanSql() finds f-strings, % and .format in Python execute calls", async (t) => {
  const hits: [string, string, RegExp][] = [
    ["f-string", 'cursor.execute(f"SELECT * FROM users WHERE id = {uid}")', /f-string/],
    ["% formatting", 'cursor.execute("SELECT * FROM users WHERE id = %s" % uid)', /%/],
    [
      ".format",
      "cursor.execute(\"SELECT * FROM users WHERE name = '{}'\".format(name))",
      /format/,
    ],
    [
      "concatenation",
      'cur.execute("SELECT * FROM users WHERE name = \'" + name + "\'")',
      /concatenation/,
    ],
    ["variable", 'query = f"DELETE FROM t WHERE id = {x}"\ncur.execute(query)', /f-string/],
    [
      "triple-quoted",
      'cur.execute(f"""\n    SELECT *\n    FROM orders\n    WHERE user = {user}\n""")',
      /f-string/,
    ],
    ["sqlalchemy text()", 'session.execute(text(f"SELECT * FROM t WHERE a = {a}"))', /f-string/],
  ];
  for (const [name, code, how] of hits) {
    await t.step(name, () => {
      const found = scanSql(code, "app/db.py");
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.match(found[0].message, how);
      assert.match(found[0].fix!, /cursor\.execute\('SELECT \.\.\. WHERE id = %s', \(id,\)\)/);
    });
  }
});

Deno.test("scanSql() leaves parameterized and non-query Python alone", () => {
  const misses = [
    'cursor.execute("SELECT * FROM users WHERE id = %s", (uid,))',
    'cursor.execute("SELECT * FROM users WHERE id = :id", {"id": uid})',
    'print(f"SELECT {x} FROM y")',
    'log.info("SELECT %s FROM y" % x)',
    'cursor.execute("SELECT * FROM users")',
  ];
  for (const code of misses) assert.deepEqual(rules(code, "a.py"), [], code);
});

Deno.test("scanSql() reports line and column of the call and a stable fingerprint", () => {
  const code = "\n\n  const r = await db.query(`SELECT * FROM t WHERE id = ${id}`);\n";
  const [f] = scanSql(code, "a.ts");
  assert.deepEqual([f.line, f.column], [3, 22]);
  const moved = scanSql("\n" + code, "b.ts")[0];
  assert.equal(moved.fingerprint, f.fingerprint);
  assert.deepEqual(scanSql(code, "a.go"), []);
});
