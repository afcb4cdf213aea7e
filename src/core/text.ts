/**
 * User text in br's output: one line for names, and Markdown that cannot change the structure
 * of the file it is written into (STATUS.md, the managed block of CLAUDE.md/AGENTS.md, the
 * spec, prompts). Names are refused with line breaks since their limits exist, but a
 * features.json written by an older version or by hand may still hold any text.
 *
 * @module
 */

// Control characters (C0, DEL, C1) and the Unicode line and paragraph separators.
const CONTROLS = "\\u0000-\\u001f\\u007f-\\u009f\\u2028\\u2029";
const CONTROL = new RegExp(`[${CONTROLS}]`, "g");

/** Matches text without a line break, tab or other control character: one line. */
export const ONE_LINE: RegExp = new RegExp(`^[^${CONTROLS}]*$`);

/** `text` on one line: line breaks, tabs and other control characters become spaces. */
export function flatLine(text: string): string {
  return text.replace(CONTROL, " ");
}

/**
 * A table cell kept on one line and free of terminal control sequences: a tab, line break or
 * other control character is shown escaped (`\t`, `\n`, `\r`, `\u001b`), so one row is one
 * line of tab-separated output.
 */
export function plainCell(text: string): string {
  return text.replace(CONTROL, (ch) => {
    switch (ch) {
      case "\t":
        return "\\t";
      case "\n":
        return "\\n";
      case "\r":
        return "\\r";
      default:
        return `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`;
    }
  });
}

/**
 * Text for one line of Markdown (a heading, a list item): line breaks and other control
 * characters become spaces; a backslash, backtick, `[`, `]`, `<`, `>` and `|` are
 * backslash-escaped everywhere, and a leading `#`, `-`, `*`, `+`, `=` or `1.` too. The text
 * then renders as itself and never opens a heading, a list item, a checkbox, a link, a code
 * span, a table cell, HTML or an HTML comment (such as the end marker of a managed block).
 */
export function mdInline(text: string): string {
  const flat = text.replace(CONTROL, " ").trim();
  return flat
    .replace(/[\\`[\]<>|]/g, "\\$&")
    .replace(/^[#*+=-]/, "\\$&")
    .replace(/^(\d+)([.)])/, "$1\\$2");
}

/**
 * Free text of several lines (a description) for a Markdown block: lists and emphasis stay, but
 * no line can open a heading, a code fence or HTML (an HTML comment could hide the rest of the
 * file): a leading `#`, `` ``` ``, `~~~` or `<` is backslash-escaped. Carriage returns and
 * other control characters but tab and line feed become spaces.
 */
export function mdBlock(text: string): string {
  return text.replace(/\r\n?/g, "\n")
    .replace(CONTROL, (ch) => ch === "\n" || ch === "\t" ? ch : " ")
    .replace(/^( {0,3})(#|```|~~~|<)/gm, "$1\\$2");
}

/**
 * A fenced code block holding `text` exactly: the fence is longer than any run of backticks
 * at the start of one of its lines, so the text cannot close it early.
 */
export function mdFence(text: string, info = "", min = 3): string[] {
  const longest = Math.max(0, ...(text.match(/^ {0,3}`+/gm) ?? []).map((l) => l.trim().length));
  const fence = "`".repeat(Math.max(min, longest + 1));
  return [fence + info, text, fence];
}

/**
 * A code span (`` `id` ``) on one line holding `text` exactly (control characters become
 * spaces): the fence is one backtick more than the longest run of backticks inside, as
 * CommonMark allows, so no text can end the span early.
 */
export function mdCode(text: string): string {
  const flat = text.replace(CONTROL, " ");
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = "`".repeat(longest + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * Orders two strings by UTF-16 code units (as `Array.prototype.sort` does): a stable order
 * that, unlike `localeCompare`, does not load the ICU collation data (20–30 ms at the first
 * call, more than a warm gate run spends on its analysis).
 */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
