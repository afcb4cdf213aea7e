/**
 * Globs over `/`-separated relative paths. Start-up safe: it imports nothing.
 *
 * @module
 */

/**
 * Turns a glob into a regular expression over `/`-separated relative paths: `**` spans
 * folders, `*` and `?` stay inside one, `{a,b}` picks one. A pattern without wildcards also
 * matches everything below it (`src/auth` covers `src/auth/login.ts`).
 */
export function globToRegExp(glob: string): RegExp {
  let g = glob.trim().replace(/^\.\//, "");
  if (g.endsWith("/")) g += "**";
  let re = "";
  let inGroup = false;
  for (let i = 0; i < g.length; i++) {
    const c = g[i];
    if (c === "*") {
      if (g[i + 1] === "*") {
        const slash = g[i + 2] === "/";
        re += slash ? "(?:.*/)?" : ".*";
        i += slash ? 2 : 1;
      } else re += "[^/]*";
    } else if (c === "?") re += "[^/]";
    else if (c === "{") {
      re += "(?:";
      inGroup = true;
    } else if (c === "}" && inGroup) {
      re += ")";
      inGroup = false;
    } else if (c === "," && inGroup) re += "|";
    else re += c.replace(/[.+^$()|[\]\\]/g, "\\$&");
  }
  const wild = /[*?{]/.test(g);
  return new RegExp(`^${re}${wild ? "" : "(?:/.*)?"}$`);
}

/** True when `path` matches any of `globs`. */
export function matchesAny(path: string, globs: readonly string[]): boolean {
  return globs.some((g) => globToRegExp(g).test(path));
}
