/**
 * The store-backed test suites again, against PostgreSQL: starts one real server
 * (`tests/postgres.ts`), runs the test files below with `BR_DATABASE_URL` pointing at it (each
 * project gets its own schema), stops the server and exits with the tests' code. The tests'
 * output passes through unchanged.
 *
 * Usage: `deno task test:postgres [test files...]` (default: {@link STORE_SUITES}).
 */
import { startPostgres } from "../tests/postgres.ts";

/**
 * The test files whose behaviour depends on the store: telemetry, cost, routing, the
 * orchestrator's state, the dashboard, the MCP tools and plugin key-value store that read or
 * write it, the `--json` reports, and the secret masking of what is stored. Suites that never
 * open the store (specs, design, scans, git hooks, parsers) and the store's own tests (which
 * open SQLite directly, or start their own server) run once, in `deno task test`.
 */
export const STORE_SUITES: readonly string[] = [
  "tests/telemetry/",
  "tests/cost/blocks_test.ts",
  "tests/cost/budget_test.ts",
  "tests/cost/import_test.ts",
  "tests/cost/import_rollup_test.ts",
  "tests/cost/ledger_write_test.ts",
  "tests/cost/summary_rollup_test.ts",
  "tests/routing/estimate_test.ts",
  "tests/routing/select_test.ts",
  "tests/orchestrator/health_test.ts",
  "tests/orchestrator/parallel_test.ts",
  "tests/orchestrator/profiles_test.ts",
  "tests/orchestrator/report_test.ts",
  "tests/dashboard/cli_test.ts",
  "tests/dashboard/discover_test.ts",
  "tests/mcp/capabilities_test.ts",
  "tests/plugins/host_test.ts",
  "tests/security/store_test.ts",
  "tests/cli/json_test.ts",
];

if (import.meta.main) {
  const files = Deno.args.length > 0 ? Deno.args : STORE_SUITES;
  const server = await startPostgres();
  if (!server) {
    // As the store tests do where PostgreSQL is missing (macOS CI): said, not hidden.
    console.log(
      "skipped: the PostgreSQL pass (no server binaries in /usr/lib/postgresql/*/bin; install " +
        "the Debian package postgresql or set BR_TEST_PG_BIN)",
    );
    Deno.exit(0);
  }
  let code = 1;
  try {
    console.log(`PostgreSQL pass: ${files.length} test file(s) against ${server.url}`);
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "test",
        "--config",
        "tests/deno.json",
        "-A",
        "--parallel",
        "--v8-flags=--min-semi-space-size=2,--max-semi-space-size=8,--max-opt=2",
        ...files,
      ],
      cwd: new URL("..", import.meta.url),
      env: { BR_DATABASE_URL: server.url },
      stdin: "null",
      stdout: "inherit",
      stderr: "inherit",
    }).spawn();
    code = (await child.status).code;
  } finally {
    await server.stop();
  }
  Deno.exit(code);
}
