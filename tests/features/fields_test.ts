/**
 * The quick check of reads and the zod schemas are built from one field table: on every file
 * of a corpus of good and bad ones, the quick check gives the verdict of zod's read schema,
 * and the write schema never accepts what a read refuses.
 */
import assert from "node:assert/strict";
import {
  FEATURE_FIELDS,
  FEATURE_LIMITS,
  FILE_FIELDS,
  quickCheck,
} from "../../src/features/fields.ts";
import {
  FeaturesFileSchema,
  FeaturesFileShape,
  LoadedFeatureSchema,
  schemaProblem,
} from "../../src/features/schema.ts";
import { parseFeaturesText } from "../../src/features/registry.ts";
import type { Feature } from "../../src/features/types.ts";
import { br, tempProject } from "../helpers.ts";

// Compile-time: the Feature type names exactly the fields of the table.
type Known<T> = keyof { [K in keyof T as string extends K ? never : K]: T[K] };
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameKeys: Same<Known<Feature>, keyof typeof FEATURE_FIELDS> = true;
void sameKeys;

const L = FEATURE_LIMITS;
const VALUES: unknown[] = [
  undefined,
  null,
  "",
  "x",
  "ok-id",
  "bad..id",
  "x.lock",
  "-x",
  "a\nb",
  "a\tb",
  "é",
  "planned",
  "high",
  "2026-01-01T00:00:00Z",
  ...[L.id, L.label, L.name, L.text, L.description].flatMap((n) => [
    "a".repeat(n),
    "a".repeat(n + 1),
  ]),
  0,
  5,
  -3,
  1.5,
  2 ** 60,
  true,
  {},
  { a: 1 },
  [],
  ["x"],
  ["x", "y"],
  [5],
  [null],
  ["a\nb"],
  ["a".repeat(L.id + 1)],
  ["a".repeat(L.text + 1)],
  Array(L.items).fill("x"),
  Array(L.items + 1).fill("x"),
];

const BASE = { id: "base", name: "Base" };

function verdicts(data: unknown): { quick: boolean; read: boolean; write: boolean } {
  return {
    quick: quickCheck(data),
    read: FeaturesFileShape.safeParse(data).success,
    write: FeaturesFileSchema.safeParse(data).success,
  };
}

function corpus(): { label: string; data: unknown }[] {
  const out: { label: string; data: unknown }[] = [];
  for (const key of [...Object.keys(FEATURE_FIELDS), "custom_field"]) {
    for (const [i, value] of VALUES.entries()) {
      const f: Record<string, unknown> = { ...BASE };
      if (value === undefined) delete f[key];
      else f[key] = value;
      out.push({ label: `feature.${key} = VALUES[${i}]`, data: { features: [f] } });
    }
  }
  for (const key of [...Object.keys(FILE_FIELDS), "custom_field"]) {
    for (const [i, value] of VALUES.entries()) {
      out.push({ label: `file.${key} = VALUES[${i}]`, data: { [key]: value, features: [BASE] } });
    }
  }
  out.push(
    { label: "no features", data: {} },
    { label: "features not a list", data: { features: {} } },
    { label: "a feature not an object", data: { features: ["a"] } },
    { label: "a feature that is a list", data: { features: [[]] } },
    { label: "root a list", data: [] },
    { label: "root null", data: null },
    { label: "duplicate ids", data: { features: [BASE, BASE] } },
    { label: "two features", data: { features: [BASE, { ...BASE, id: "other" }] } },
  );
  return out;
}

Deno.test("quick check and zod's read schema agree on every file of the corpus", () => {
  const cases = corpus();
  const count = { read: 0, write: 0 };
  for (const { label, data } of cases) {
    const v = verdicts(data);
    assert.equal(v.quick, v.read, `${label}: quick ${v.quick}, read schema ${v.read}`);
    assert.ok(!v.write || v.read, `${label}: the write schema accepts what a read refuses`);
    if (v.read) count.read++;
    if (v.write) count.write++;
  }
  // Every verdict occurs often (a corpus of one kind proves nothing), and the limits refuse
  // on writes what reads accept.
  assert.ok(count.read > 100 && cases.length - count.read > 200, JSON.stringify(count));
  assert.ok(count.read - count.write > 50, JSON.stringify(count));
});

Deno.test("a text over a limit still loads (older files), and the next write names it", async () => {
  const long = "n".repeat(FEATURE_LIMITS.name + 1);
  const text = JSON.stringify({ features: [{ id: "a", name: long }] });
  const file = await parseFeaturesText(text, "features.json");
  assert.equal(file.features[0].name, long);
  assert.match(
    schemaProblem(file)!,
    /^features\[0\]\.name \(feature "a"\): a name has at most 200/,
  );
});

Deno.test("a non-string owner is refused on read, naming the field (it used to load, then fail the next write)", async () => {
  const text = JSON.stringify({ features: [{ id: "a", name: "A", owner: 5 }] });
  await assert.rejects(
    parseFeaturesText(text, "features.json"),
    /Invalid features\.json: features\[0\]\.owner \(feature "a"\)/,
  );
  await using dir = await tempProject();
  await Deno.writeTextFile(`${dir.path}/.buildrunner/features.json`, text);
  const res = await br(["feature", "list"], { cwd: dir.path });
  assert.equal(res.code, 3);
  assert.match(res.stderr, /features\[0\]\.owner/);
  assert.equal(await Deno.readTextFile(`${dir.path}/.buildrunner/features.json`), text);
});

Deno.test("a loaded feature matches the output schema MCP announces", async () => {
  const text = JSON.stringify({ features: [{ id: "a", name: "A", build: 3, tags: ["t"] }] });
  const file = await parseFeaturesText(text, "features.json");
  for (const f of file.features) {
    const res = LoadedFeatureSchema.safeParse(f);
    assert.ok(res.success, res.error?.message);
  }
  assert.equal(LoadedFeatureSchema.safeParse({ id: "a", name: "A" }).success, false);
});
