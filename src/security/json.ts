import type { SecurityFinding } from "./types.ts";

/** A finding as `br security scan --json` and the MCP scan tool print it. */
export interface SecurityFindingJson extends SecurityFinding {
  /** Accepted in `.buildrunner/security-baseline.json` (not new). */
  baselined: boolean;
}

/**
 * A finding as printed: its documented fields only (picked one by one, so nothing else a
 * finding object may carry is ever printed), plus whether the baseline accepts it.
 */
export function findingJson(f: SecurityFinding, baselined: boolean): SecurityFindingJson {
  return {
    file: f.file,
    line: f.line,
    column: f.column,
    rule: f.rule,
    severity: f.severity,
    secret_masked: f.secret_masked,
    fingerprint: f.fingerprint,
    kind: f.kind,
    message: f.message,
    fix: f.fix,
    commit: f.commit,
    baselined,
  };
}
