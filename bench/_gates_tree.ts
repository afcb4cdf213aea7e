/** The synthetic TypeScript tree of bench/gates.ts. */
import { join } from "node:path";

/** One module of about `lines` lines: imports, documented functions with branches, a TODO. */
export function moduleText(i: number, lines: number): string {
  const out: string[] = [];
  if (i > 0) out.push(`import { f${i - 1}_0 } from "../m${(i - 1) % 20}/f${i - 1}.ts";`);
  if (i > 1) out.push(`import type { Shape${i - 2} } from "../m${(i - 2) % 20}/f${i - 2}.ts";`);
  out.push("", `/** A shape of module ${i}. */`);
  out.push(`export interface Shape${i} {`, "  id: number;", "  name: string;", "}", "");
  if (i > 1) {
    out.push(`/** The previous shape. */`, `export type Previous${i} = Shape${i - 2};`, "");
  }
  let k = 0;
  while (out.length < lines - 12) {
    out.push(
      `/** Function ${k} of module ${i}. */`,
      `export function f${i}_${k}(x: number, s: Shape${i}): number {`,
      `  let total = ${k};`,
      "  for (let n = 0; n < x; n++) {",
      "    if (n % 3 === 0) total += n;",
      "    else if (n % 5 === 0) total -= s.id;",
      "    else total += s.name.length;",
      "  }",
      `  return total > ${i} ? total : -total;`,
      "}",
      "",
    );
    k++;
  }
  if (i % 10 === 0) out.push("// TODO: split this module");
  out.push(
    `/** Entry of module ${i}. */`,
    `export function main${i}(): number {`,
    `  return f${i}_0(${i}, { id: ${i}, name: "m${i}" })${
      i > 0 ? ` + f${i - 1}_0(1, { id: 1, name: "x" })` : ""
    };`,
    "}",
  );
  return out.join("\n") + "\n";
}

/** Writes `files` modules under `root`/src (20 folders); returns the number of lines. */
export async function writeTree(root: string, files: number, lines: number): Promise<number> {
  let total = 0;
  for (let i = 0; i < files; i++) {
    const dir = join(root, "src", `m${i % 20}`);
    await Deno.mkdir(dir, { recursive: true });
    const text = moduleText(i, lines);
    total += text.split("\n").length - 1;
    await Deno.writeTextFile(join(dir, `f${i}.ts`), text);
  }
  return total;
}
