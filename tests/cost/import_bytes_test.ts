import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { openProject } from "../../src/core/project.ts";
import { importUsage } from "../../src/cost/mod.ts";
import { tempProject } from "../helpers.ts";
import { ccLine, join } from "./_logs.ts";

const MODEL = "claude-sonnet-4-5-20250929";
const enc = new TextEncoder();
const line = (id: string, cwd = "/work/a") =>
  enc.encode(
    ccLine({ id, model: MODEL, time: "2026-11-25T10:00:00.000Z", input: 1, output: 2, cwd }),
  );
const concat = (...parts: Uint8Array[]): Uint8Array => Buffer.concat(parts);
const NL = enc.encode("\n");

Deno.test("cost import: a usage line that is not UTF-8 is skipped as malformed, and a last line cut inside a character waits for its end", async () => {
  await using dir = await tempProject("acme");
  const log = join(dir.path, "logs", "projects", "-work-a", "s1.jsonl");
  await Deno.mkdir(join(dir.path, "logs", "projects", "-work-a"), { recursive: true });
  // A byte that is never UTF-8 (0xFF) in the text of a response's line.
  const good = line("msg_1", "/work/é");
  const broken = line("msg_2");
  const at = new TextDecoder().decode(broken).indexOf('"done"') + 3;
  const bad = concat(broken.subarray(0, at), new Uint8Array([0xff]), broken.subarray(at));
  // The last line, still being written, ends between the two bytes of "ü".
  const last = line("msg_3", "/work/ü");
  const cut = new TextDecoder().decode(last).indexOf("ü");
  const split = enc.encode(new TextDecoder().decode(last).slice(0, cut)).length + 1;
  const head = concat(good, NL, bad, NL);
  await Deno.writeFile(log, concat(head, last.subarray(0, split)));

  const project = await openProject({ cwd: dir.path });
  try {
    const dirs = [join(dir.path, "logs")];
    const first = await importUsage(project, { dirs, sources: ["claude-code"] });
    assert.equal(first.added, 1);
    assert.equal(first.sources[0].malformed_lines, 1);
    assert.equal(first.sources[0].bytes_read, head.length);
    const store = await project.store();
    const keys = async () =>
      (await store.all<{ key: string }>("SELECT key FROM cost_ledger ORDER BY key")).map((r) =>
        r.key
      );
    assert.deepEqual(await keys(), ["cc:msg_1:req_msg_1"]);

    // The rest of the last line arrives: it is read whole.
    await Deno.writeFile(log, concat(last.subarray(split), NL), { append: true });
    const second = await importUsage(project, { dirs, sources: ["claude-code"] });
    assert.equal(second.added, 1);
    assert.equal(second.sources[0].malformed_lines, 0);
    assert.deepEqual(await keys(), ["cc:msg_1:req_msg_1", "cc:msg_3:req_msg_3"]);
    // Nothing stored holds a replacement character.
    const replaced = await store.get<{ n: number }>(
      `SELECT count(*) AS n FROM cost_ledger WHERE instr(key || model || ifnull(project, ''), ?) > 0`,
      ["\uFFFD"],
    );
    assert.equal(Number(replaced?.n), 0);
  } finally {
    await project.close();
  }
});
