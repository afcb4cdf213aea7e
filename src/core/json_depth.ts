/**
 * How deep the arrays and objects of a parsed JSON document nest, measured without
 * recursion. `JSON.parse` reads any depth, but `JSON.stringify`, zod and every recursive
 * walk overflow the call stack near ten thousand levels: a file that nests deeper than
 * {@link MAX_JSON_DEPTH} is refused when read, before anything walks or rewrites it.
 */

/** The deepest nesting of arrays and objects br reads in its JSON data files. */
export const MAX_JSON_DEPTH = 1000;

/** True when arrays and objects nest more than `levels` deep in `value` (a scalar: 0). */
export function nestsDeeperThan(value: unknown, levels: number): boolean {
  const values: unknown[] = [value];
  const depths: number[] = [1];
  while (values.length) {
    const v = values.pop();
    const depth = depths.pop()!;
    if (v === null || typeof v !== "object") continue;
    if (depth > levels) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === "object") {
        values.push(child);
        depths.push(depth + 1);
      }
    }
  }
  return false;
}

/**
 * Where a document nests deeper than `limit` levels (the document itself is level 1): the
 * top-level key, or `features[i].key` inside the list of features; null when it does not.
 */
export function tooDeepAt(data: unknown, limit: number = MAX_JSON_DEPTH): string | null {
  if (!nestsDeeperThan(data, limit)) return null;
  if (data === null || typeof data !== "object" || Array.isArray(data)) return "(root)";
  for (const [key, value] of Object.entries(data)) {
    if (key === "features" && Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const f = value[i];
        if (f === null || typeof f !== "object" || Array.isArray(f)) {
          if (nestsDeeperThan(f, limit - 2)) return `features[${i}]`;
          continue;
        }
        for (const [k, v] of Object.entries(f)) {
          if (nestsDeeperThan(v, limit - 3)) return `features[${i}].${k}`;
        }
      }
    } else if (nestsDeeperThan(value, limit - 1)) return key;
  }
  return "(root)";
}
