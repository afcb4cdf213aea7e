import { join } from "./path.ts";

/** The global config file: `$BR_HOME/config.yaml`, else `~/.buildrunner/config.yaml`. */
export function globalConfigPath(env: Record<string, string | undefined>): string | null {
  if (env.BR_HOME) return join(env.BR_HOME, "config.yaml");
  const home = env.HOME ?? env.USERPROFILE;
  return home ? join(home, ".buildrunner", "config.yaml") : null;
}
