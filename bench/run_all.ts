/** Runs every benchmark in this folder, one after the other (`deno task bench`). */
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const names: string[] = [];
for await (const e of Deno.readDir(dir)) {
  if (e.isFile && e.name.endsWith(".ts") && !e.name.startsWith("_") && e.name !== "run_all.ts") {
    names.push(e.name);
  }
}
let failed = 0;
for (const name of names.sort()) {
  console.log(`\n## ${name}`);
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", `${dir}${name}`, ...Deno.args],
    stdout: "inherit",
    stderr: "inherit",
  }).output();
  if (out.code !== 0) failed++;
}
Deno.exit(failed ? 1 : 0);
