import { proposeCompletions } from "@stricli/core";
import type { BrContext } from "../context.ts";
import { print } from "../output.ts";

const BASH = `# br completion for bash
_br_complete() {
  local IFS=$'\\n'
  COMPREPLY=( $(br __complete "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) )
}
complete -o default -F _br_complete br
`;

const ZSH = `# br completion for zsh
_br() {
  local -a proposals
  proposals=("\${(@f)$(br __complete "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  compadd -- \${proposals[@]}
}
compdef _br br
`;

const FISH = `# br completion for fish
complete -c br -f -a '(br __complete (commandline -opc)[2..-1] (commandline -ct) 2>/dev/null)'
`;

/** Prints the completion script of a shell. */
export function completions(this: BrContext, _flags: Record<never, never>, shell: string): void {
  print(this, shell === "bash" ? BASH : shell === "zsh" ? ZSH : FISH);
}

/** Prints one proposal a line for the partial command line `words` (last word = current). */
export async function complete(
  this: BrContext,
  _flags: Record<never, never>,
  ...words: string[]
): Promise<void> {
  const app = await (await import("../tree.ts")).buildApp([], this);
  const inputs = words.length ? words : [""];
  const proposals = await proposeCompletions(app, inputs, this);
  const seen = new Set<string>();
  for (const p of proposals) {
    // `--` (the end of flags) is never what anyone completes to.
    if (p.completion.startsWith("__") || p.completion === "--" || seen.has(p.completion)) continue;
    seen.add(p.completion);
    print(this, p.completion);
  }
}
