/** One assignment of a `.env` file. */
export interface DotenvEntry {
  /** The variable's name. */
  name: string;
  /** Its value (quotes removed). Never printed, logged or stored by br. */
  value: string;
  /** 1-based line. */
  line: number;
}

const ASSIGN = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*(.*)$/;

/** The assignments of a `.env` file, in order (comments and blank lines left out). */
export function parseDotenv(text: string): DotenvEntry[] {
  const out: DotenvEntry[] = [];
  text.replace(/\r\n?/g, "\n").split("\n").forEach((raw, i) => {
    if (/^\s*(#|$)/.test(raw)) return;
    const m = ASSIGN.exec(raw);
    if (!m) return;
    let value = m[2].trim();
    const q = value[0];
    if ((q === '"' || q === "'") && value.length > 1) {
      const end = value.indexOf(q, 1);
      value = end > 0 ? value.slice(1, end) : value.slice(1);
    } else {
      value = value.replace(/\s+#.*$/, "");
    }
    out.push({ name: m[1], value, line: i + 1 });
  });
  return out;
}

/** The lines a `.env` file holds that are not assignments (for `.env.example` upkeep). */
export function isAssignment(line: string): string | null {
  if (/^\s*#/.test(line)) return null;
  return ASSIGN.exec(line)?.[1] ?? null;
}

/**
 * The values of the project's `.env` (at least 4 characters long), for masking them out of
 * what br records. None when there is no `.env`.
 */
export function dotenvValues(root: string): string[] {
  let text: string;
  try {
    text = Deno.readTextFileSync(`${root}/.env`);
  } catch {
    return [];
  }
  return [...new Set(parseDotenv(text).map((e) => e.value).filter((v) => v.length >= 4))]
    .sort((a, b) => b.length - a.length);
}

/** `text` with every one of `values` replaced by `****`. */
export function maskValues(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of values) out = out.split(v).join("****");
  return out;
}
