/**
 * Debugging tools: `br pipe` (run a command, record its errors), `br debug` (recorded failures
 * grouped by signature) and `br watch` (errors in log and test-output files).
 *
 * @module
 */
export { detectErrors, type ErrorKind, type ErrorSignature, plainOutput } from "./signatures.ts";
export { type DebugLog, debugLogPath, readDebugLog, type RunRecord } from "./store.ts";
export { pipeCommand, type PipeOptions, recordMasker, shellJoin } from "./pipe.ts";
export {
  agentHandoff,
  type DebugBlocker,
  debugBlockers,
  type DebugReport,
  debugReport,
  type DebugReportOptions,
  type FailureGroup,
} from "./report.ts";
