/**
 * Aligned columns for the terminal, measured by what a terminal shows: color codes take no
 * room, wide characters (CJK, most emoji) take two columns, combining marks none.
 *
 * @module
 */

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-?]*[ -/]*[@-~]/g;
const ASCII = /^[\x20-\x7e]*$/;
const ZERO = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}]+$/u;
// East Asian Wide and Fullwidth blocks, and emoji shown as pictures by default.
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6\u{20000}-\u{3fffd}]|\p{Emoji_Presentation}|\p{Extended_Pictographic}\ufe0f/u;

let graphemes: Intl.Segmenter | undefined;

/** The number of terminal columns `text` takes (one line; color codes are not counted). */
export function displayWidth(text: string): number {
  const s = text.includes("\x1b") ? text.replace(ANSI, "") : text;
  if (ASCII.test(s)) return s.length;
  graphemes ??= new Intl.Segmenter();
  let width = 0;
  for (const { segment } of graphemes.segment(s)) {
    if (ZERO.test(segment)) continue;
    width += WIDE.test(segment) ? 2 : 1;
  }
  return width;
}

/** How a {@link table} lays out its cells. */
export interface TableOptions {
  /** Alignment per column (default: left). */
  align?: readonly ("left" | "right")[];
  /** Spaces before each row (default 0). */
  indent?: number;
  /** Spaces between columns (default 2). */
  gap?: number;
}

/**
 * Rows as aligned columns, one line per row. Cells may hold color codes and wide characters;
 * trailing spaces are dropped.
 */
export function table(rows: readonly (readonly string[])[], options: TableOptions = {}): string {
  const { align = [], indent = 0, gap = 2 } = options;
  const widths: number[] = [];
  const measured = rows.map((r) =>
    r.map((cell, i) => {
      const w = displayWidth(cell);
      widths[i] = Math.max(widths[i] ?? 0, w);
      return w;
    })
  );
  return rows.map((r, ri) => {
    const cells = r.map((cell, i) => {
      const pad = " ".repeat(widths[i] - measured[ri][i]);
      return align[i] === "right" ? pad + cell : cell + pad;
    });
    return (" ".repeat(indent) + cells.join(" ".repeat(gap))).trimEnd();
  }).join("\n");
}
