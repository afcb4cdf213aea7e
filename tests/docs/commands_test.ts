/**
 * The docs claim only what exists: every `br ...` command line quoted in the README and in
 * docs/*.md names a real command of the tree, and every `--flag` it shows is a flag of that
 * command (as its `--help` lists it).
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { br, tempDir } from "../helpers.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** Command lines of plugins (first-party ones, or a placeholder): not in the built-in tree. */
const PLUGIN_COMMAND = /^br (github|slack|notion|<plugin>)(\s|$)/;

/** Every inline-code command line (`br ...`) of a Markdown text, with table pipes unescaped. */
export function commandLines(markdown: string): string[] {
  const out: string[] = [];
  for (const m of markdown.matchAll(/`(br [^`\n]+)`/g)) out.push(m[1].replaceAll("\\|", "|"));
  for (const block of markdown.matchAll(/```(?:console|sh)\n([\s\S]*?)```/g)) {
    for (const line of block[1].split("\n")) {
      const cmd = line.replace(/^\$ /, "");
      if (line.startsWith("$ br ") || (line.startsWith("br ") && !line.includes(":"))) {
        out.push(cmd);
      }
    }
  }
  return out;
}

/** The words of a command line that may name routes, before arguments and flags start. */
function routeWords(line: string): string[][] {
  const words: string[][] = [];
  for (const w of line.split(/\s+/).slice(1)) {
    if (!/^[a-z_][a-z0-9_|-]*$/.test(w)) break;
    words.push(w.split("|"));
  }
  return words;
}

Deno.test("every br command line in the README and docs/ names a real command, with real flags", async () => {
  await using dir = await tempDir();
  const files = ["README.md", ...[...Deno.readDirSync(`${ROOT}docs`)].map((e) => `docs/${e.name}`)]
    .filter((f) => f.endsWith(".md"));
  const help = new Map<string, { code: number; text: string }>();
  const helpOf = async (path: string[]) => {
    const key = path.join(" ");
    if (!help.has(key)) {
      const r = await br([...path, "--help"], { cwd: dir.path, tree: true });
      help.set(key, { code: r.code, text: r.stdout + r.stderr });
    }
    return help.get(key)!;
  };
  const problems: string[] = [];
  let checked = 0;
  for (const file of files) {
    for (const line of commandLines(Deno.readTextFileSync(`${ROOT}${file}`))) {
      // A plugin's commands exist once it is installed (`br plugin add`): the first-party
      // plugins' own tests run them.
      if (PLUGIN_COMMAND.test(line)) continue;
      // Every alternative of `a|b` words is a command of its own.
      let paths: string[][] = [[]];
      for (const alternatives of routeWords(line)) {
        const next: string[][] = [];
        for (const path of paths) {
          const h = await helpOf(path);
          const routes = h.text.includes("COMMANDS") ? h.text.split("COMMANDS")[1] : "";
          const known = alternatives.filter((a) => new RegExp(`^\\s+${a}\\s`, "m").test(routes));
          if (known.length === 0) {
            next.push(path); // an argument, not a route
            continue;
          }
          if (known.length < alternatives.length) {
            problems.push(`${file}: "${line}": no command ${path.join(" ")} ${alternatives}`);
          }
          for (const a of known) next.push([...path, a]);
        }
        paths = next;
      }
      // Flags inside a quoted argument (an agent's own command line) are not br's.
      const bare = line.replace(/'[^']*'|"[^"]*"/g, "");
      const flags = [...bare.matchAll(/(?:^|[\s[])(--[a-z][a-z0-9-]*)/g)].map((m) => m[1]);
      for (const path of paths) {
        const h = await helpOf(path);
        checked++;
        if (h.code !== 0) {
          problems.push(`${file}: "${line}": "br ${path.join(" ")} --help" exits ${h.code}`);
          continue;
        }
        for (const flag of flags) {
          if (["--help", "--version"].includes(flag) && path.length === 0) continue;
          if (!new RegExp(`${flag}(?![a-z0-9-])`).test(h.text)) {
            problems.push(`${file}: "${line}": br ${path.join(" ")} has no flag ${flag}`);
          }
        }
      }
    }
  }
  assert.ok(checked > 100, `only ${checked} command lines found`);
  assert.deepEqual(problems, []);
});
