/** The rule for feature ids, as users read it. */
export const ID_RULE =
  "ids start with a letter or digit, then letters, digits, '.', '_' or '-', without '..', a trailing '.' or a '.lock' suffix";

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Why `id` is not a valid feature id, or null when it is. Ids name git branches. */
export function idProblem(id: string): string | null {
  if (!ID_PATTERN.test(id)) return ID_RULE;
  if (id.includes("..")) return "ids cannot contain '..'";
  if (id.endsWith(".")) return "ids cannot end with '.'";
  if (id.toLowerCase().endsWith(".lock")) return "ids cannot end with '.lock'";
  return null;
}

/** The default id of a feature name: lower-case words joined by '-'. */
export function slugify(name: string): string {
  return name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 64)
    .replace(/-+$/, "");
}
