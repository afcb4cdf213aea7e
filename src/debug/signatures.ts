import { sha256Hex } from "../core/hash.ts";

/** What kind of error a signature is. */
export type ErrorKind =
  | "test_failure"
  | "typescript"
  | "compiler"
  | "python_traceback"
  | "exception";

/** One error found in a command's output. */
export interface ErrorSignature {
  /** Stable id of the error: the same error in two runs has the same one. */
  signature: string;
  /** What kind of error. */
  kind: ErrorKind;
  /** One line: the test name, the exception or the compiler message. */
  message: string;
  /** The file it points at (relative to the project when inside it), or null. */
  file: string | null;
  /** The line in that file, or null. */
  line: number | null;
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07/g;

/** Output without terminal color codes and carriage returns. */
export function plainOutput(text: string): string {
  return text.replace(ANSI, "").replace(/\r\n?/g, "\n");
}

/** A path from a stack frame or a compiler message, relative to `root` when inside it. */
function cleanPath(raw: string, root: string): string {
  let p = raw.trim().replace(/^file:\/\//, "");
  try {
    p = decodeURIComponent(p);
  } catch { /* kept as is */ }
  const base = root.endsWith("/") ? root : root + "/";
  if (p.startsWith(base)) p = p.slice(base.length);
  return p.replace(/^\.\//, "");
}

/** The message with what changes between runs (numbers, temp paths, hex ids) left out. */
function normalized(message: string): string {
  return message
    .replace(/\/tmp\/[^\s'"]*/g, "<tmp>")
    .replace(/0x[0-9a-f]+/gi, "<hex>")
    .replace(/\d+(\.\d+)?(ms|s)\b/g, "<time>")
    .trim();
}

function make(
  kind: ErrorKind,
  message: string,
  file: string | null,
  line: number | null,
  key = message,
): ErrorSignature {
  const msg = message.trim().slice(0, 300);
  const signature = sha256Hex(`${kind}\n${file ?? ""}\n${normalized(key)}`).slice(0, 12);
  return { signature, kind, message: msg, file, line };
}

// A stack frame: `at fn (file:///a/b.ts:3:5)`, `at /a/b.js:3:5`, `at file:///a/b.ts:3:5`.
const FRAME = /^\s+at (?:.*?\()?((?:file:\/\/)?[^\s()]+?):(\d+):(\d+)\)?\s*$/;

function isOwnFrame(path: string): boolean {
  return !/node_modules|^node:|^ext:|^internal\/|deno\.land\/std|jsr\.io|^https?:/.test(path);
}

/** The first frame of the project's own code after line `from`, within `limit` lines. */
function firstFrame(
  lines: string[],
  from: number,
  root: string,
  limit = 30,
): { file: string; line: number } | null {
  for (let j = from + 1; j < Math.min(lines.length, from + limit); j++) {
    const m = FRAME.exec(lines[j]);
    if (m && isOwnFrame(m[1])) return { file: cleanPath(m[1], root), line: Number(m[2]) };
  }
  return null;
}

/**
 * The errors in a command's output: test failures (Deno, pytest, Jest/Vitest), TypeScript
 * errors (tsc and Deno), compiler errors with `file:line`, Python tracebacks and uncaught
 * JavaScript exceptions, each once, in order of appearance.
 */
export function detectErrors(output: string, root: string): ErrorSignature[] {
  const lines = plainOutput(output).split("\n");
  const found: ErrorSignature[] = [];
  const used = new Set<number>();
  let m: RegExpExecArray | null;
  for (let i = 0; i < lines.length; i++) {
    if (used.has(i)) continue;
    const line = lines[i];
    // Deno test: `name => ./a_test.ts:3:6` in the ERRORS section.
    if ((m = /^(.+?) => (\S+?):(\d+):(\d+)\s*$/.exec(line))) {
      const err = lines.slice(i + 1, i + 4).find((l) => /^error: /.test(l));
      const detail = err ? ` (${err.replace(/^error: /, "")})` : "";
      found.push(
        make("test_failure", m[1] + detail, cleanPath(m[2], root), Number(m[3]), m[1]),
      );
      if (err) used.add(lines.indexOf(err, i + 1));
      continue;
    }
    // pytest: `FAILED tests/test_x.py::test_a - assert 1 == 2`.
    if ((m = /^FAILED (\S+?\.py)::(\S+)(?: - (.*))?$/.exec(line))) {
      found.push(
        make("test_failure", m[2] + (m[3] ? ` (${m[3]})` : ""), cleanPath(m[1], root), null),
      );
      continue;
    }
    // Deno's type check: `TS2322 [ERROR]: message` then `at file:///a.ts:1:7`.
    if ((m = /^(?:error: )?(TS\d+) \[ERROR\]: (.*)$/.exec(line))) {
      const at = lines.slice(i + 1, i + 8).map((l) => /^\s+at (\S+?):(\d+):(\d+)/.exec(l)).find(
        (x) => x,
      );
      found.push(
        make(
          "typescript",
          `${m[1]}: ${m[2]}`,
          at ? cleanPath(at[1], root) : null,
          at ? Number(at[2]) : null,
        ),
      );
      continue;
    }
    // tsc: `src/a.ts(1,7): error TS2322: message` or `src/a.ts:1:7 - error TS2322: message`.
    if (
      (m = /^(\S+?\.[cm]?[jt]sx?)(?:\((\d+),\d+\)|:(\d+):\d+) ?[:-] error (TS\d+): (.*)$/.exec(
        line,
      ))
    ) {
      found.push(
        make("typescript", `${m[4]}: ${m[5]}`, cleanPath(m[1], root), Number(m[2] ?? m[3])),
      );
      continue;
    }
    // Python: the traceback's last frame of the project and its final `Type: message` line.
    if (/^Traceback \(most recent call last\):/.test(line)) {
      let file: string | null = null;
      let at: number | null = null;
      let j = i + 1;
      for (; j < lines.length; j++) {
        const f = /^\s+File "([^"]+)", line (\d+)/.exec(lines[j]);
        if (f) {
          if (!/site-packages|^<frozen|\/lib\/python\d/.test(f[1])) {
            file = cleanPath(f[1], root);
            at = Number(f[2]);
          }
          continue;
        }
        if (/^\s/.test(lines[j]) || lines[j] === "") continue;
        break;
      }
      const message = lines[j] ?? "Python traceback";
      for (let k = i; k <= j; k++) used.add(k);
      found.push(make("python_traceback", message, file, at));
      continue;
    }
    // Rust: `error[E0308]: message` then ` --> src/main.rs:2:5`.
    if ((m = /^error(\[E\d+\])?: (.*)$/.exec(line))) {
      const arrow = /^\s*--> (\S+?):(\d+):\d+/.exec(lines[i + 1] ?? "");
      if (arrow) {
        found.push(
          make(
            "compiler",
            `${m[1] ?? ""}${m[1] ? " " : ""}${m[2]}`,
            cleanPath(arrow[1], root),
            Number(arrow[2]),
          ),
        );
        continue;
      }
    }
    // gcc, clang, go, eslint-compact and the like: `file.ext:12:5: error: message`.
    if ((m = /^(\S+?\.[A-Za-z]{1,5}):(\d+)(?::\d+)?:? (?:fatal )?error:? (.*)$/.exec(line))) {
      found.push(make("compiler", m[3], cleanPath(m[1], root), Number(m[2])));
      continue;
    }
    // Uncaught JavaScript errors (Deno, Node): the message and the first own stack frame.
    if (
      (m =
        /^(?:error: )?(?:Uncaught (?:\(in promise\) )?)?((?:[A-Z]\w*)?(?:Error|Exception)\b:? ?.*)$/
          .exec(line)) && (/^(error: )?Uncaught/.test(line) || FRAME.test(lines[i + 1] ?? ""))
    ) {
      const at = firstFrame(lines, i, root);
      found.push(make("exception", m[1], at?.file ?? null, at?.line ?? null));
      for (let k = i + 1; k < lines.length && FRAME.test(lines[k]); k++) used.add(k);
      continue;
    }
  }
  const seen = new Set<string>();
  return found.filter((e) => !seen.has(e.signature) && seen.add(e.signature));
}
