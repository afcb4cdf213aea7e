/**
 * The acorn analyzer (_estree.ts) gives exactly the TypeScript compiler's facts (_ts.ts, the
 * reference) on br's own sources and on the shapes where the two trees differ; a text acorn
 * refuses is analyzed by the compiler.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { analyzeEstree } from "../../src/quality/_estree.ts";
import { analyzeTs } from "../../src/quality/_ts.ts";
import { analyzeTree } from "../../src/quality/_analysis.ts";
import { langOf } from "../../src/quality/_files.ts";
import type { SourceLang } from "../../src/quality/_facts.ts";
import { tempDir } from "../helpers.ts";

const ROOT = new URL("../../", import.meta.url).pathname;

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of Deno.readDirSync(join(ROOT, dir))) {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory) out.push(...sourcesUnder(rel));
    else if (langOf(rel) === "ts" || langOf(rel) === "js") out.push(rel);
  }
  return out;
}

Deno.test("acorn gives the compiler's facts on every source file of br", () => {
  const files = sourcesUnder("src");
  assert.ok(files.length > 200, `${files.length} files`);
  for (const file of files) {
    const text = Deno.readTextFileSync(join(ROOT, file));
    const lang = langOf(file) as SourceLang;
    assert.deepEqual(analyzeEstree(file, text, lang), analyzeTs(file, text, lang), file);
  }
});

const CASES: [string, string][] = [
  // names, lines, complexity, stubs, exports and their doc comments, imports, markers
  // (a body that is itself a function: the compiler counts its decisions for both)
  [
    "m.ts",
    "const f = (p: RegExp) => (e: unknown) => a && b && c;\nconst g = (x) => (y) => x ? (z) => z || 1 : 2;\n",
  ],
  ["a.ts", "#!/usr/bin/env -S deno run\n// TODO: shebang\nexport function f() {}\n"],
  [
    "b.ts",
    "\uFEFF/** Doc. */\nexport const x = 1; /** same line */ export const y = 2;\n/** next */\nexport let z = 3;\n",
  ],
  [
    "c.ts",
    "class C {\n  @dec\n  static async m() { return a ? b : c; }\n  private get g() { return 1; }\n  set s(v) {}\n  #p() {}\n  [k]() { x && y; }\n  'q'() {}\n  1() {}\n  constructor() {}\n  f = () => {};\n  #h = function () {};\n  static { if (a) b(); }\n}\n",
  ],
  [
    "d.ts",
    "export function o(a: string): void;\nexport function o(a: any) {\n  switch (a) { case 1: break; default: break; }\n}\nexport default function () {}\nexport declare function g(): void;\nexport abstract class A { abstract m(): void; n(): void {} }\n",
  ],
  [
    "e.tsx",
    "export const C = () => <div>{/* TODO: jsx */}{a && <b/>}</div>;\nconst D = (x: number) => x ? 1 : 2;\n",
  ],
  [
    "f.js",
    "const r = require(`./r.js`);\nconst q = import(`./q${x}.js`);\nmodule.exports = { a: function () {}, b() { throw new Error('Not implemented'); } };\nconst el = <p>hi</p>;\n",
  ],
  [
    "g.ts",
    "import x = require('y');\nexport import z = N.M;\nimport type T from './t';\nimport { type U } from './u';\nexport type * from './v';\nexport * as w from './w';\ntype Q = typeof import('./q');\nlet k: import('./k').K;\nexport namespace N { export const m = 1; }\nexport enum E { A }\nexport const enum F { B }\n",
  ],
  [
    "h.ts",
    "const f = (() => {});\nconst g = (function () {}) as F;\nconst h = { 'lit': () => {}, [c]: () => {}, id: async function named() {} };\nthrow 'not yet implemented';\nfunction t() { throw new Error(`unimplemented`); }\n",
  ],
  [
    "i.ts",
    "let a = 1;\r\n// FIXME: crlf\r\n/* multi\r\n * TODO: second line\r\n * XXX third */\r\nasync function w() {\r\n  do { a ??= 1; } while (a || b);\r\n  for await (const x of y) {}\r\n  try {} catch { }\r\n}\u2028// HACK: after a line separator\n",
  ],
  [
    "j.ts",
    "export default class {}\nexport default interface I {}\nexport declare const d: number, e: string;\nexport const { p, q } = o;\nexport let [r] = s;\n/** A. */ /* b */\nexport class K {}\n",
  ],
  [
    "k.ts",
    "using res = get();\nconst s = x satisfies Y;\naccessorLike();\nfunction outer() {\n  const inner = () => a ? b : c;\n  return [1].map((v) => v && w);\n}\n",
  ],
  // shapes the parser first tries one way and backs off from (type arguments or a comparison,
  // an arrow function or a parenthesized expression, a cast or JSX), parameter properties,
  // decorators, generics, enums, namespaces, overloads and ambient declarations
  [
    "n.ts",
    "export class S<T extends object = {}> extends Base {\n  constructor(private readonly a: T, public b = 1, protected override c?: string) { super(); }\n  @log() @memo m<U>(u: U): U { return a < b && c > d ? f<U>(u) : g<T, U>(u as U); }\n}\nconst id = <T,>(x: T): T => x;\nconst p = (a < b) ? (c) : (d, e) => a;\nconst q = (x: number, ...r: string[]) => x < r.length || x >> 1 > 2;\nlet v = <any>w;\nexport declare function h(...a: number[],): void;\ndeclare module 'm' { export function k(): void; }\nexport namespace A.B { export function c() { if (x) y(); } }\nexport enum E { A = 1 << 2, B = A | 1 }\nexport const s = { a: 1 } satisfies Record<string, number>;\nexport abstract class G { protected abstract get x(): number; private static async *gen?(): AsyncGenerator<T> {} }\nfunction over(a: string): void;\nfunction over(a: number | string) { for (const [k, v] of Object.entries(a)) if (k < v) break; }\n",
  ],
  [
    "o.tsx",
    "import type { FC } from 'react';\nexport const L: FC<{ n: number }> = ({ n }) => <ul>{[...Array(n)].map((_, i) => i < n ? <li key={i}>{i > 1 && <b>{`${i}`}</b>}</li> : null)}</ul>;\nconst g = <T,>(x: T) => <p>{String(x)}</p>;\nexport function Box<T>({ a }: { a: T }) { return a ? <div {...a} /> : <></>; }\n",
  ],
  [
    "p.jsx",
    "// TODO: jsx in .jsx\nexport default function App({ a, b }) {\n  return a < b ? <A x={a}>{b}</A> : <B y={() => a > b} />;\n}\n",
  ],
  [
    "l.mts",
    "export async function* gen() { yield 1; }\nexport const o = { get v() { return 1; }, set v(x) {}, async *m() {} };\n",
  ],
];

Deno.test("acorn gives the compiler's facts where their trees differ", () => {
  for (const [file, text] of CASES) {
    const lang = langOf(file) as SourceLang;
    assert.deepEqual(analyzeEstree(file, text, lang), analyzeTs(file, text, lang), file);
  }
});

Deno.test("a text acorn refuses is analyzed by the compiler, with the same facts", async () => {
  await using dir = await tempDir();
  // `for await` outside an async function: an error for acorn, read anyway by the compiler.
  const text = "// TODO: later\nexport function f() {\n  for await (const x of y) {}\n}\n";
  assert.throws(() => analyzeEstree("src/a.ts", text, "ts"));
  await Deno.mkdir(join(dir.path, "src"));
  await Deno.writeTextFile(join(dir.path, "src/a.ts"), text);
  const analysis = await analyzeTree(dir.path);
  assert.deepEqual(analysis.files, [analyzeTs("src/a.ts", text, "ts")]);
  assert.equal(analysis.files[0].parse_error, undefined);
  assert.equal(analysis.files[0].markers.length, 1);
});
