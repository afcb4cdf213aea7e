import { createHash } from "node:crypto";
import { findCycle, idProblem, PRIORITIES } from "../features/mod.ts";
import { isIndustry, isUseCase } from "./detect.ts";
import { type ParsedSpec, REQUIRED_SECTIONS, SPEC_STATUSES, type SpecProblem } from "./types.ts";

/**
 * The lock checksum of a spec text: `sha256:` + the hex SHA-256 of the file with the front
 * matter's `status:` and `lock:` lines left out (so locking does not change what it locks).
 */
export function specChecksum(text: string): string {
  const lines = text.split("\n");
  let inFront = lines[0]?.replace(/\r$/, "") === "---";
  const kept: string[] = [];
  lines.forEach((line, i) => {
    const l = line.replace(/\r$/, "");
    if (inFront && i > 0 && (l === "---" || l === "...")) inFront = false;
    else if (inFront && i > 0 && /^(status|lock)\s*:/.test(l)) return;
    kept.push(line);
  });
  return "sha256:" + createHash("sha256").update(kept.join("\n")).digest("hex");
}

/** True when the spec is locked and its text no longer matches the lock checksum. */
export function lockMismatch(spec: ParsedSpec): boolean {
  return !!spec.front?.lock && specChecksum(spec.text) !== spec.front.lock;
}

/**
 * Every problem of a parsed spec, sorted by line: missing or duplicate sections, features
 * without a name or acceptance criteria, bad or duplicate ids, unknown priorities,
 * dependencies on missing features, cycles, unknown status/industry/use case, and a lock
 * checksum that no longer matches.
 */
export function validateSpec(spec: ParsedSpec): SpecProblem[] {
  const problems: SpecProblem[] = [...spec.problems];
  const titles = new Set(spec.sections.map((s) => s.title.toLowerCase()));
  for (const name of REQUIRED_SECTIONS) {
    if (!titles.has(name.toLowerCase())) {
      problems.push({
        line: 0,
        code: "missing_section",
        message: `missing section "## ${name}"`,
      });
    }
  }
  const front = spec.front;
  if (front) {
    const at = (key: string) => frontLine(spec, key);
    if (!(SPEC_STATUSES as readonly string[]).includes(front.status)) {
      problems.push({
        line: at("status"),
        code: "invalid_status",
        message: `unknown status "${front.status}" (use ${SPEC_STATUSES.join(", ")})`,
      });
    }
    if (front.industry && front.industry !== "unknown" && !isIndustry(front.industry)) {
      problems.push({
        line: at("industry"),
        code: "unknown_industry",
        message: `unknown industry "${front.industry}"`,
      });
    }
    if (front.use_case && front.use_case !== "unknown" && !isUseCase(front.use_case)) {
      problems.push({
        line: at("use_case"),
        code: "unknown_use_case",
        message: `unknown use case "${front.use_case}"`,
      });
    }
    if (front.status === "locked" && !front.lock) {
      problems.push({
        line: at("status"),
        code: "lock_missing",
        message: 'status is "locked" but there is no lock checksum',
      });
    }
    if (lockMismatch(spec)) {
      problems.push({
        line: at("lock"),
        code: "lock_mismatch",
        message: "the spec was edited after it was locked (checksum mismatch)",
      });
    }
  }
  const seen = new Map<string, number>();
  for (const f of spec.features) {
    if (!f.name) continue; // reported by the parser
    const bad = idProblem(f.id);
    if (!f.id || bad) {
      problems.push({
        line: f.line,
        code: "invalid_id",
        message: `feature "${f.name}" has an invalid id "${f.id}": ${bad ?? "empty"}`,
      });
    }
    const first = seen.get(f.id);
    if (first !== undefined) {
      problems.push({
        line: f.line,
        code: "duplicate_id",
        message: `duplicate feature id "${f.id}" (first at line ${first})`,
      });
    } else seen.set(f.id, f.line);
    if (f.acceptance.length === 0) {
      problems.push({
        line: f.line,
        code: "no_acceptance",
        message: `feature "${f.id}" has no acceptance criteria`,
      });
    }
    if (!(PRIORITIES as readonly string[]).includes(f.priority)) {
      problems.push({
        line: f.line,
        code: "invalid_priority",
        message: `feature "${f.id}" has unknown priority "${f.priority}" (use ${
          PRIORITIES.join(", ")
        })`,
      });
    }
  }
  const ids = new Set(spec.features.map((f) => f.id));
  for (const f of spec.features) {
    for (const dep of f.depends_on) {
      if (dep === f.id) {
        problems.push({
          line: f.line,
          code: "self_dependency",
          message: `feature "${f.id}" depends on itself`,
        });
      } else if (!ids.has(dep)) {
        problems.push({
          line: f.line,
          code: "unknown_dependency",
          message: `feature "${f.id}" depends on unknown feature "${dep}"`,
        });
      }
    }
  }
  const cycle = findCycle(spec.features.map((f) => ({
    id: f.id,
    dependencies: f.depends_on.filter((d) => d !== f.id),
    status: "planned" as const,
    priority: "medium" as const,
  })));
  if (cycle) {
    const line = spec.features.find((f) => f.id === cycle[0])?.line ?? 0;
    problems.push({
      line,
      code: "dependency_cycle",
      message: `dependency cycle ${cycle.join(" -> ")}`,
    });
  }
  return problems.sort((a, b) => a.line - b.line || a.code.localeCompare(b.code));
}

function frontLine(spec: ParsedSpec, key: string): number {
  if (!spec.front_range) return 1;
  const [open, close] = spec.front_range;
  for (let i = open + 1; i < close; i++) {
    if (spec.lines[i].startsWith(`${key}:`)) return i + 1;
  }
  return open + 1;
}
