/** The git hooks `br` manages. */
export const HOOK_NAMES = ["pre-commit", "commit-msg", "pre-push"] as const;
/** One of {@link HOOK_NAMES}. */
export type HookName = typeof HOOK_NAMES[number];
