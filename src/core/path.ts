/**
 * Path helpers for the start-up path (project discovery, config, features, status, hooks).
 *
 * `node:path` is the path library of the rest of the code, but importing it starts Deno's
 * Node compatibility layer, which costs more than everything `br status` does on a project
 * of a thousand features (bench/status.ts). These few functions behave like their
 * `node:path` namesakes; tests/core/path_test.ts compares both flavours with
 * `node:path/posix` and `node:path/win32`. Not covered: Windows drive-relative paths ("C:x",
 * resolved by `node:path` against a per-drive working directory).
 *
 * @module
 */

/** The path functions of one platform flavour. */
export interface PathFunctions {
  /** The separator. */
  sep: string;
  /** True when `p` is absolute. */
  isAbsolute(p: string): boolean;
  /** Removes `.` and `..` segments and repeated separators. */
  normalize(p: string): string;
  /** Joins segments and normalizes the result. */
  join(...parts: string[]): string;
  /** Resolves segments against `cwd()`. */
  resolve(...parts: string[]): string;
  /** The folder of `p`. */
  dirname(p: string): string;
  /** The last segment of `p`. */
  basename(p: string): string;
  /** The path from `from` to `to`, both resolved first. */
  relative(from: string, to: string): string;
  /** The path of a `file:` URL. */
  fromFileUrl(url: string | URL): string;
}

/** Path functions for Windows (`windows`) or POSIX paths, resolving against `cwd`. */
export function pathFunctions(windows: boolean, cwd: () => string): PathFunctions {
  const sep = windows ? "\\" : "/";
  const isSep = (c: string | undefined) => c === "/" || (windows && c === "\\");
  const splitter = windows ? /[\\/]+/ : /\/+/;

  /** Length of the root ("/", "C:\\", "C:", "\\\\server\\share\\"), 0 when relative. */
  function rootLength(p: string): number {
    if (!windows) return p.startsWith("/") ? 1 : 0;
    if (/^[A-Za-z]:/.test(p)) return isSep(p[2]) ? 3 : 2;
    const unc = /^[\\/]{2}[^\\/]+[\\/]+[^\\/]+[\\/]*/.exec(p);
    if (unc) return unc[0].length;
    return isSep(p[0]) ? 1 : 0;
  }

  function normalizeRoot(root: string): string {
    if (!windows) return root;
    const r = root.replaceAll("/", "\\");
    return /^\\\\/.test(r) && !r.endsWith("\\") ? `${r}\\` : r.replace(/\\+$/, "\\");
  }

  function isAbsolute(p: string): boolean {
    if (!windows) return p.startsWith("/");
    return /^[A-Za-z]:[\\/]/.test(p) || isSep(p[0]);
  }

  // A POSIX path without "." or ".." segments or repeated separators is already normal.
  const untouched = /\/\/|(?:^|\/)\.\.?(?:\/|$)/;

  function normalize(p: string): string {
    if (p === "") return ".";
    if (!windows && !untouched.test(p)) return p;
    const rootLen = rootLength(p);
    const root = normalizeRoot(p.slice(0, rootLen));
    const absolute = root !== "" && (isSep(root[root.length - 1]) || !windows);
    const out: string[] = [];
    for (const part of p.slice(rootLen).split(splitter)) {
      if (part === "" || part === ".") continue;
      if (part === "..") {
        if (out.length > 0 && out[out.length - 1] !== "..") out.pop();
        else if (!absolute) out.push("..");
        continue;
      }
      out.push(part);
    }
    const trailing = isSep(p[p.length - 1]) ? sep : "";
    const body = out.join(sep);
    if (!body) return absolute ? root : `${root}.${trailing}`;
    return root + body + trailing;
  }

  function join(...parts: string[]): string {
    const kept = parts.filter((p) => p !== "");
    let joined = kept.join(sep);
    if (joined === "") return ".";
    // Windows: only a first part that is itself a UNC path ("\\\\server") makes one; the
    // separators joining "\\" and "x" do not.
    if (windows && !/^[\\/]{2}[^\\/]/.test(kept[0])) joined = joined.replace(/^[\\/]{2,}/, "\\");
    return normalize(joined);
  }

  function resolve(...parts: string[]): string {
    let acc = "";
    for (let i = parts.length - 1; i >= 0 && !isAbsolute(acc); i--) {
      if (parts[i] === "") continue;
      acc = acc ? `${parts[i]}${sep}${acc}` : parts[i];
    }
    if (!isAbsolute(acc)) acc = acc ? `${cwd()}${sep}${acc}` : cwd();
    let n = normalize(acc);
    // Windows: a path rooted without a drive ("\\x") is on the working directory's drive.
    if (windows && n[0] === "\\" && n[1] !== "\\") n = normalize(cwd().slice(0, 2) + n);
    return n.length > rootLength(n) && isSep(n[n.length - 1]) ? n.slice(0, -1) : n;
  }

  function dirname(p: string): string {
    if (p === "") return ".";
    const rootLen = rootLength(p);
    let end = p.length;
    while (end > rootLen && isSep(p[end - 1])) end--;
    while (end > rootLen && !isSep(p[end - 1])) end--;
    // `end - 1` is the separator before the last segment (only that one is dropped).
    if (end - 1 <= rootLen) return rootLen ? p.slice(0, rootLen) : ".";
    return p.slice(0, end - 1);
  }

  function basename(p: string): string {
    const floor = windows && /^[A-Za-z]:/.test(p) ? 2 : 0;
    let end = p.length;
    while (end > floor && isSep(p[end - 1])) end--;
    let start = end;
    while (start > floor && !isSep(p[start - 1])) start--;
    return p.slice(start, end);
  }

  function relative(from: string, to: string): string {
    const a = resolve(from);
    const b = resolve(to);
    const fold = (s: string) => windows ? s.toLowerCase() : s;
    if (fold(a) === fold(b)) return "";
    const rootA = a.slice(0, rootLength(a));
    const rootB = b.slice(0, rootLength(b));
    if (fold(rootA) !== fold(rootB)) return b;
    const pa = a.slice(rootA.length).split(sep).filter(Boolean);
    const pb = b.slice(rootB.length).split(sep).filter(Boolean);
    let i = 0;
    while (i < pa.length && i < pb.length && fold(pa[i]) === fold(pb[i])) i++;
    return [...Array<string>(pa.length - i).fill(".."), ...pb.slice(i)].join(sep);
  }

  function fromFileUrl(url: string | URL): string {
    const u = url instanceof URL ? url : new URL(url);
    if (u.protocol !== "file:") throw new TypeError(`Not a file URL: ${u.href}`);
    const path = decodeURIComponent(u.pathname.replace(/%(?![0-9A-Fa-f]{2})/g, "%25"));
    if (!windows) return path;
    const local = path.replace(/^\/([A-Za-z]:)/, "$1").replaceAll("/", "\\");
    return u.hostname ? `\\\\${u.hostname}${local}` : local;
  }

  return { sep, isAbsolute, normalize, join, resolve, dirname, basename, relative, fromFileUrl };
}

const here: PathFunctions = pathFunctions(Deno.build.os === "windows", () => Deno.cwd());

/** The platform's separator. */
export const sep: string = here.sep;
/** Joins segments and normalizes the result (like `path.join`). */
export const join: (...parts: string[]) => string = here.join;
/** Resolves segments against the working directory (like `path.resolve`). */
export const resolve: (...parts: string[]) => string = here.resolve;
/** The folder of `p` (like `path.dirname`). */
export const dirname: (p: string) => string = here.dirname;
/** The last segment of `p` (like `path.basename`). */
export const basename: (p: string) => string = here.basename;
/** The path from `from` to `to`, both resolved first (like `path.relative`). */
export const relative: (from: string, to: string) => string = here.relative;
/** The path of a `file:` URL (like `url.fileURLToPath`). */
export const fromFileUrl: (url: string | URL) => string = here.fromFileUrl;
