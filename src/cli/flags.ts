/**
 * Flag definitions the command definitions share. Each is typed `as const`, so that
 * `command()` checks it against the runner: a text flag is `string | undefined`, a list flag
 * `string[] | undefined`, a switch `boolean | undefined`.
 */

/** An optional flag taking one text value: `--name <placeholder>`. */
export function textFlag(brief: string, placeholder = "value") {
  return { kind: "parsed", parse: String, brief, optional: true, placeholder } as const;
}

/** An optional flag that may be given several times: `--tag a --tag b`. */
export function listFlag(brief: string, placeholder = "value") {
  return {
    kind: "parsed",
    parse: String,
    brief,
    optional: true,
    variadic: true,
    placeholder,
  } as const;
}

/** An optional switch: `--name`. */
export function boolFlag(brief: string) {
  return { kind: "boolean", brief, optional: true } as const;
}

/** A positional argument taking one text value. */
export function textArg(brief: string, placeholder: string) {
  return { brief, parse: String, placeholder } as const;
}
