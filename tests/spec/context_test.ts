import assert from "node:assert/strict";
import { CONTEXT_BEGIN, CONTEXT_END, replaceManagedBlock } from "../../src/spec/mod.ts";
import { br, tempProject } from "../helpers.ts";
import { brOk, HAND_SPEC } from "./_fixtures.ts";

const enc = new TextEncoder();

Deno.test("replaceManagedBlock() never changes a byte outside the markers", () => {
  const before = "# My notes\r\n\r\nKeep this — exactly.  \n\t tabs\n";
  const after = "\n## After\nü ∑ trailing no newline";
  const first = replaceManagedBlock(before, "old");
  assert.ok(first.startsWith(before));
  const text = first + after.slice(1);
  const next = replaceManagedBlock(text, "new block\nline 2");
  const begin = next.indexOf(CONTEXT_BEGIN);
  const end = next.indexOf(CONTEXT_END) + CONTEXT_END.length;
  assert.deepEqual(
    enc.encode(next.slice(0, begin)),
    enc.encode(text.slice(0, text.indexOf(CONTEXT_BEGIN))),
  );
  assert.deepEqual(
    enc.encode(next.slice(end)),
    enc.encode(text.slice(text.indexOf(CONTEXT_END) + CONTEXT_END.length)),
  );
  assert.equal(next.slice(begin, end), `${CONTEXT_BEGIN}\nnew block\nline 2\n${CONTEXT_END}`);
  assert.equal(replaceManagedBlock(null, "x"), `${CONTEXT_BEGIN}\nx\n${CONTEXT_END}\n`);
});

Deno.test("br context writes the managed block and leaves user text alone", async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(`${dir.path}/PROJECT_SPEC.md`, HAND_SPEC);
  await brOk(["spec", "sync"], dir.path);
  await brOk(["config", "set", "project.test_command", "deno task test"], dir.path);
  await brOk(["feature", "start", "user-model"], dir.path);
  const userTop = "# Rules of this repo\n\nUse tabs. Never push to main.\n\n";
  const userBottom = "\n## My own section\nStays here.\n";
  await Deno.writeTextFile(
    `${dir.path}/CLAUDE.md`,
    `${userTop}${CONTEXT_BEGIN}\nstale\n${CONTEXT_END}${userBottom}`,
  );
  const res = await brOk(["context"], dir.path);
  assert.match(res.stdout, /created\s+AGENTS\.md/);
  assert.match(res.stdout, /updated\s+CLAUDE\.md/);
  const claude = await Deno.readTextFile(`${dir.path}/CLAUDE.md`);
  assert.ok(claude.startsWith(userTop + CONTEXT_BEGIN));
  assert.ok(claude.endsWith(CONTEXT_END + userBottom));
  assert.ok(!claude.includes("stale"));
  for (
    const want of [
      "**Acme**: A dashboard where clinic staff see today's patients.",
      "- Kind: industry healthcare; use case dashboard; stack deno, postgres",
      "- Spec: `PROJECT_SPEC.md` (draft)",
      "- Layer rule: code in `src/ui` must not import from `src/db`.",
      "- Before committing, run: `deno task test`.",
      "### In progress\n\n- `user-model` User model (high) — in_progress",
      "### Next up\n\n- none ready",
    ]
  ) assert.ok(claude.includes(want), `missing ${want}\n${claude}`);
  const agents = await Deno.readTextFile(`${dir.path}/AGENTS.md`);
  assert.ok(agents.startsWith(CONTEXT_BEGIN));
  // Unchanged data: nothing rewritten.
  const again = await brOk(["context", "--json"], dir.path);
  assert.deepEqual(JSON.parse(again.stdout), [
    { path: "AGENTS.md", action: "unchanged" },
    { path: "CLAUDE.md", action: "unchanged" },
  ]);
  // Progress shows up on the next run.
  await brOk(["feature", "complete", "user-model"], dir.path);
  await brOk(["context"], dir.path);
  const updated = await Deno.readTextFile(`${dir.path}/CLAUDE.md`);
  assert.match(updated, /### Next up\n\n- `auth-login` Login \(medium\), after user-model/);
  assert.ok(updated.startsWith(userTop) && updated.endsWith(userBottom));
});

Deno.test("br context refuses unbalanced markers (exit 3) and writes nothing", async () => {
  await using dir = await tempProject();
  const text = `notes\n${CONTEXT_BEGIN}\nno end marker\n`;
  await Deno.writeTextFile(`${dir.path}/CLAUDE.md`, text);
  const res = await br(["context"], { cwd: dir.path });
  assert.equal(res.code, 3);
  assert.match(res.stderr, /CLAUDE\.md: the BuildRunner context markers are unbalanced/);
  assert.equal(await Deno.readTextFile(`${dir.path}/CLAUDE.md`), text);
  assert.equal(await Deno.stat(`${dir.path}/AGENTS.md`).catch(() => null), null);
});
