import { BrError } from "../core/errors.ts";

/**
 * Splits a command template into words by POSIX shell quoting rules: blanks separate words;
 * `'...'` keeps everything literally; `"..."` keeps everything but lets `\` escape `$`, `` ` ``,
 * `"`, `\` and newline; a `\` outside quotes escapes the next character. Nothing is expanded
 * (no variables, globs or command substitution) and no shell runs, so unquoted shell
 * operators are refused rather than silently passed on as words.
 *
 * @throws {BrError} `usage` for an unterminated quote or an unquoted operator.
 */
export function splitWords(template: string): string[] {
  const words: string[] = [];
  let word = "";
  let inWord = false;
  let i = 0;
  const fail = (what: string) => {
    throw new BrError(
      "usage",
      `Cannot split the agent command ${JSON.stringify(template)}: ${what}`,
      {
        hint: "quote the argument; the template is split into words, not run by a shell",
      },
    );
  };
  while (i < template.length) {
    const c = template[i];
    if (c === " " || c === "\t" || c === "\n") {
      if (inWord) words.push(word);
      word = "";
      inWord = false;
      i++;
    } else if (c === "'") {
      const end = template.indexOf("'", i + 1);
      if (end < 0) fail("unterminated single quote");
      word += template.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      i++;
      inWord = true;
      while (true) {
        if (i >= template.length) fail("unterminated double quote");
        const d = template[i];
        if (d === '"') {
          i++;
          break;
        }
        if (d === "\\" && i + 1 < template.length && '$`"\\\n'.includes(template[i + 1])) {
          if (template[i + 1] !== "\n") word += template[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
    } else if (c === "\\") {
      if (i + 1 >= template.length) fail("trailing backslash");
      if (template[i + 1] !== "\n") {
        word += template[i + 1];
        inWord = true;
      }
      i += 2;
    } else if ("|&;<>()`".includes(c) || (c === "$" && template[i + 1] === "(")) {
      fail(`unquoted shell operator "${c}"`);
    } else if (c === "#" && !inWord) {
      break; // a comment runs to the end, as in a shell
    } else {
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}

/** Values for the `{placeholder}`s of an agent template. */
export type Placeholders = Record<string, string>;

/**
 * Splits `template` into words, then replaces `{name}` inside each word by its value. A
 * value is never split again, so a prompt with spaces or quotes stays one argument.
 *
 * @throws {BrError} `usage` for an unknown placeholder or a template without a command.
 */
export function renderArgv(template: string, values: Placeholders): string[] {
  const words = splitWords(template);
  if (words.length === 0) {
    throw new BrError("usage", "The agent command is empty", {
      hint: 'set parallel.agents.<name>.command or pass --agent-command "my-agent {prompt_file}"',
    });
  }
  return words.map((w) =>
    w.replace(/\{([a-z_]+)\}/g, (all, name: string) => {
      if (!(name in values)) {
        throw new BrError("usage", `Unknown placeholder ${all} in the agent command`, {
          hint: `use ${Object.keys(values).map((k) => `{${k}}`).join(", ")}`,
        });
      }
      return values[name];
    })
  );
}
