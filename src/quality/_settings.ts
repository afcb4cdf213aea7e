import type { Project } from "../core/project.ts";

/** The `quality.*` settings with their defaults. */
export interface QualitySettings {
  /** Minimum score. */
  threshold: number;
  /** Longest acceptable function. */
  max_function_lines: number;
  /** Longest acceptable file. */
  max_file_lines: number;
  /** Highest acceptable cyclomatic complexity. */
  max_complexity: number;
  /** Test files per source file that earns the full test-ratio score. */
  test_ratio_target: number;
  /** Gates of `br validate`. */
  gates: string[];
}

/**
 * Reads the `quality` config section (registering it first, so its defaults apply). When no
 * layer of the configuration can set it (no config file, flag or `BR_QUALITY__*` variable
 * mentions it), the defaults apply without loading the configuration and its schema library.
 */
export async function qualitySettings(project: Project): Promise<QualitySettings> {
  let cfg: { get<T>(key: string): T | undefined } = { get: () => undefined };
  if (project.configMentions("quality")) {
    await import("./config.ts");
    cfg = await project.config();
  }
  const num = (key: string, fallback: number) => {
    const v = cfg.get<number>(`quality.${key}`);
    return typeof v === "number" ? v : fallback;
  };
  const gates = cfg.get<string[]>("quality.gates");
  return {
    threshold: num("threshold", 70),
    max_function_lines: num("max_function_lines", 60),
    max_file_lines: num("max_file_lines", 500),
    max_complexity: num("max_complexity", 10),
    test_ratio_target: num("test_ratio_target", 0.5),
    gates: Array.isArray(gates)
      ? gates
      : ["features", "governance", "spec", "security", "gaps", "quality", "guard"],
  };
}
