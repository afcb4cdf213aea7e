import assert from "node:assert/strict";
import { ansiColors, colors, useColor } from "../../src/cli/output.ts";
import type { BrContext } from "../../src/cli/context.ts";
import { displayWidth, table } from "../../src/cli/table.ts";
import { br, brProcess, tempProject } from "../helpers.ts";

const SGR = new RegExp("\x1b\\[\\d+m", "g");
const strip = (s: string) => s.replace(SGR, "");

function ctx(tty: boolean, env: Record<string, string>): BrContext {
  return {
    process: { stdout: { write: () => {} }, stderr: { write: () => {} } },
    env,
    cwd: "/",
    stdoutIsTTY: tty,
    stdinIsTTY: false,
  };
}

Deno.test("colors: on a TTY, off when piped; NO_COLOR (non-empty) wins over FORCE_COLOR (not 0)", async () => {
  const cases: [boolean, Record<string, string>, boolean][] = [
    [true, {}, true],
    [false, {}, false],
    [true, { NO_COLOR: "1" }, false],
    [true, { NO_COLOR: "" }, true],
    [false, { FORCE_COLOR: "1" }, true],
    [false, { FORCE_COLOR: "" }, true],
    [false, { FORCE_COLOR: "0" }, false],
    [true, { FORCE_COLOR: "0" }, true],
    [false, { FORCE_COLOR: "1", NO_COLOR: "1" }, false],
  ];
  for (const [tty, env, want] of cases) {
    const label = `tty=${tty} ${JSON.stringify(env)}`;
    assert.equal(useColor(ctx(tty, env)), want, label);
    const c = await colors(ctx(tty, env));
    assert.equal(c.red("x") !== "x", want, label);
  }
});

Deno.test("colors: the ANSI codes, and a nested style is re-opened after the inner one ends", () => {
  const c = ansiColors;
  assert.equal(c.bold("b"), "\x1b[1mb\x1b[22m");
  assert.equal(c.dim("d"), "\x1b[2md\x1b[22m");
  assert.equal(c.red("r"), "\x1b[31mr\x1b[39m");
  assert.equal(c.green("g"), "\x1b[32mg\x1b[39m");
  assert.equal(c.yellow("y"), "\x1b[33my\x1b[39m");
  assert.equal(c.magenta("m"), "\x1b[35mm\x1b[39m");
  assert.equal(c.cyan("c"), "\x1b[36mc\x1b[39m");
  assert.equal(
    c.bold(`a ${c.dim("b")} c`),
    "\x1b[1ma \x1b[2mb\x1b[22m\x1b[1m c\x1b[22m",
  );
  assert.equal(c.red(`a ${c.green("b")} c`), "\x1b[31ma \x1b[32mb\x1b[39m\x1b[31m c\x1b[39m");
});

Deno.test("br status: colored with FORCE_COLOR when piped, plain with NO_COLOR", async () => {
  await using dir = await tempProject();
  await br(["feature", "add", "Login"], { cwd: dir.path });
  await br(["feature", "start", "login"], { cwd: dir.path });
  const forced = await brProcess(["status"], {
    cwd: dir.path,
    env: { NO_COLOR: "", FORCE_COLOR: "1" },
  });
  assert.equal(forced.code, 0, forced.stderr);
  assert.ok(forced.stdout.includes("\x1b[1m"), forced.stdout);
  assert.ok(forced.stdout.includes("\x1b[36min_progress\x1b[39m"), forced.stdout);
  const plain = await brProcess(["status"], { cwd: dir.path, env: { NO_COLOR: "1" } });
  assert.equal(plain.code, 0, plain.stderr);
  assert.ok(!plain.stdout.includes("\x1b["), plain.stdout);
  assert.equal(strip(forced.stdout), plain.stdout);
});

Deno.test("displayWidth counts terminal columns: wide CJK and emoji 2, color codes and marks 0", () => {
  assert.equal(displayWidth("abc"), 3);
  assert.equal(displayWidth(""), 0);
  assert.equal(displayWidth("\x1b[1mabc\x1b[22m"), 3);
  assert.equal(displayWidth("日本語"), 6);
  assert.equal(displayWidth("한국"), 4);
  assert.equal(displayWidth("ＡＢ"), 4); // fullwidth forms
  assert.equal(displayWidth("🎉"), 2);
  assert.equal(displayWidth("❤️"), 2); // text symbol + VS16 shown as emoji
  assert.equal(displayWidth("👩‍💻"), 2); // one ZWJ sequence
  assert.equal(displayWidth("🇫🇷"), 2); // one flag
  assert.equal(displayWidth("é"), 1); // e + combining acute
  assert.equal(displayWidth("Ünïcödé"), 7);
  assert.equal(displayWidth("→ ✓"), 3);
  assert.equal(displayWidth(`\x1b[32m日本\x1b[39m🎉`), 6);
});

Deno.test("table aligns columns by display width, right-aligns where told, drops trailing spaces", () => {
  const bold = ansiColors.bold;
  const out = table([
    [bold("ID"), bold("NAME"), bold("N")],
    ["a", "日本語", "5"],
    ["bb", "x 🎉", "10"],
    ["c", ansiColors.green("é"), "100"],
  ], { align: ["left", "left", "right"] });
  assert.deepEqual(strip(out).split("\n"), [
    "ID  NAME      N",
    "a   日本語    5",
    "bb  x 🎉     10",
    "c   é       100",
  ]);
  assert.ok(out.includes(bold("ID")), "cells keep their colors");
  // Columns line up on screen: every row shows as wide as the header.
  const widths = out.split("\n").map(displayWidth);
  assert.deepEqual(widths, [15, 15, 15, 15]);
  assert.equal(table([["a", "b"], ["long", ""]], { indent: 2 }), "  a     b\n  long");
  assert.equal(table([]), "");
});

Deno.test("br feature list on a terminal: columns line up on screen with wide names and colors", async () => {
  await using dir = await tempProject();
  await br(["feature", "add", "日本語の機能", "--id", "jp"], { cwd: dir.path });
  await br(["feature", "add", "Login"], { cwd: dir.path });
  const res = await br(["feature", "list"], { cwd: dir.path, tty: true, env: { NO_COLOR: "" } });
  assert.equal(res.code, 0, res.stderr);
  assert.ok(res.stdout.includes("\x1b["), "colored on a terminal");
  const lines = res.stdout.trimEnd().split("\n");
  assert.equal(lines.length, 3);
  // The screen column where STATUS (or the status word) starts.
  const at = (line: string) => {
    const shown = strip(line);
    return displayWidth(shown.slice(0, shown.search(/STATUS|planned/)));
  };
  assert.equal(at(lines[1]), at(lines[0]));
  assert.equal(at(lines[2]), at(lines[0]));
});
