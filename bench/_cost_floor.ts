/**
 * The floor of `bench/cost.ts`: a bare script that streams every `*.jsonl` under the given
 * folders and `JSON.parse`s the lines that carry usage, and nothing else.
 */
import { join } from "node:path";

async function* files(dir: string): AsyncGenerator<string> {
  for await (const e of Deno.readDir(dir)) {
    const p = join(dir, e.name);
    if (e.isDirectory) yield* files(p);
    else if (e.name.endsWith(".jsonl")) yield p;
  }
}

let parsed = 0;
let tokens = 0;
const decoder = new TextDecoder();
for (const dir of Deno.args) {
  for await (const path of files(dir)) {
    using f = await Deno.open(path);
    const buf = new Uint8Array(1 << 20);
    let rest = "";
    while (true) {
      const n = await f.read(buf);
      if (n === null) break;
      const lines = (rest + decoder.decode(buf.subarray(0, n), { stream: true })).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) {
        if (line.includes('"usage"') || line.includes('"token_count"')) {
          const o = JSON.parse(line);
          tokens += o.message?.usage?.output_tokens ??
            o.payload?.info?.last_token_usage?.output_tokens ?? 0;
          parsed++;
        }
      }
    }
  }
}
console.log(JSON.stringify({ parsed, tokens }));
