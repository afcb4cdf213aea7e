/**
 * The README's quick start runs as shown: every `$ br ...` line of its console block is run in a
 * new folder, and what it prints (and `echo $?`) is compared with the README, byte for byte
 * (the folder's path aside).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { br, tempDir } from "../helpers.ts";

const README = fileURLToPath(new URL("../../README.md", import.meta.url));

/** Splits a shell-like command line into words (double quotes group; no escapes needed here). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]);
}

Deno.test("the README's quick start prints what the README shows", async () => {
  const text = Deno.readTextFileSync(README);
  const start = text.indexOf("## Quick start");
  const block = text.slice(start).match(/```console\n([\s\S]*?)```/)![1];
  const steps: { command: string; expected: string[] }[] = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("$ ")) steps.push({ command: line.slice(2), expected: [] });
    else if (line !== "" || steps.length) steps.at(-1)?.expected.push(line);
  }
  assert.ok(steps.length >= 8, "the quick start has its commands");
  await using dir = await tempDir();
  const shown = /Initialized (\S+)/.exec(block)?.[1] ?? "";
  let last = 0;
  for (const step of steps) {
    const expected = step.expected.join("\n").replace(/\n+$/, "");
    let got: string;
    if (step.command === "echo $?") got = String(last);
    else {
      const argv = words(step.command);
      assert.equal(argv[0], "br", `the quick start only runs br: ${step.command}`);
      const r = await br(argv.slice(1), { cwd: dir.path });
      last = r.code;
      got = (r.stdout + r.stderr).replaceAll(dir.path, shown).replace(/\n+$/, "");
    }
    assert.equal(got, expected, `output of "${step.command}"`);
  }
});
