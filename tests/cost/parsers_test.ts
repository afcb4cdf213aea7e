import assert from "node:assert/strict";
import { attributeFeature } from "../../src/cost/attribution.ts";
import { parseClaudeLine } from "../../src/cost/claude_code.ts";
import { codexInitialState, parseCodexLine } from "../../src/cost/codex.ts";
import { ccLine, cxCount, cxTurn } from "./_logs.ts";

const ctx = { root: "/work/acme", features: new Set(["auth-login", "billing"]) };

Deno.test("feature attribution through worktree, br/ branch and feature-named branch", () => {
  assert.equal(
    attributeFeature(ctx, "/work/acme/.buildrunner/worktrees/billing/src", "x"),
    "billing",
  );
  assert.equal(attributeFeature(ctx, "/work/acme", "br/auth-login"), "auth-login");
  assert.equal(attributeFeature(ctx, "/work/acme/src", "billing"), "billing");
  assert.equal(attributeFeature(ctx, "/work/acme", "main"), null);
  assert.equal(attributeFeature(ctx, "/work/acme", "unknown-branch"), null);
  assert.equal(attributeFeature(ctx, "/work/other", "billing"), null); // another repository
  assert.equal(attributeFeature(ctx, "/work/acme-2", "billing"), null); // a sibling folder
  assert.equal(attributeFeature(ctx, null, "br/billing"), "billing");
});

Deno.test("Codex totals that go down fall back to the last turn's usage", () => {
  const state = codexInitialState(
    "/x/rollout-2026-11-25T00-00-00-11111111-2222-4333-8444-555555555555.jsonl",
  );
  assert.equal(state.session, "11111111-2222-4333-8444-555555555555");
  assert.equal(
    parseCodexLine(cxTurn("gpt-5", "/work/acme", "2026-11-25T00:00:00.000Z"), state, ctx),
    null,
  );
  const a = parseCodexLine(
    cxCount("2026-11-25T00:01:00.000Z", { input: 5000, cached: 1000, output: 300 }),
    state,
    ctx,
  )!;
  assert.deepEqual([a.input_tokens, a.cache_read_tokens, a.output_tokens], [4000, 1000, 300]);
  // A new conversation in the same file restarts the counters.
  const b = parseCodexLine(
    cxCount("2026-11-25T00:02:00.000Z", { input: 700, cached: 0, output: 50 }, {
      input: 700,
      cached: 0,
      output: 50,
    }),
    state,
    ctx,
  )!;
  assert.deepEqual([b.input_tokens, b.cache_read_tokens, b.output_tokens], [700, 0, 50]);
  const c = parseCodexLine(
    cxCount("2026-11-25T00:03:00.000Z", { input: 1000, cached: 200, output: 80 }),
    state,
    ctx,
  )!;
  assert.deepEqual([c.input_tokens, c.cache_read_tokens, c.output_tokens], [100, 200, 30]);
  assert.equal(c.model, "gpt-5");
});

Deno.test("Claude Code lines: synthetic skipped, 1h split kept, malformed throws", () => {
  const c = { session: "s", project: "p", attribution: ctx };
  assert.equal(
    parseClaudeLine(
      ccLine({ id: "m", model: "<synthetic>", time: "2026-11-25T00:00:00Z", input: 1, output: 1 }),
      c,
    ),
    null,
  );
  const e = parseClaudeLine(
    ccLine({
      id: "m1",
      model: "claude-opus-4-1",
      time: "2026-11-25T00:00:00Z",
      input: 1,
      output: 2,
      write5m: 30,
      write1h: 70,
    }),
    c,
  )!;
  assert.deepEqual([e.cache_creation_tokens, e.cache_creation_1h_tokens, e.time], [
    100,
    70,
    "2026-11-25T00:00:00.000Z",
  ]);
  assert.equal(e.key, "cc:m1:req_m1");
  assert.throws(() => parseClaudeLine('{"message":{"usage":', c));
  assert.equal(parseClaudeLine('{"type":"user","message":{"content":"hi"}}', c), null);
});

Deno.test("calendar keys and budget windows in a time zone", async () => {
  const { isoWeekKey, parseBound, periodKeys, periodWindow } = await import(
    "../../src/cost/_time.ts"
  );
  assert.equal(isoWeekKey(2026, 1, 1), "2026-W01");
  assert.equal(isoWeekKey(2027, 1, 1), "2026-W53");
  assert.equal(isoWeekKey(2021, 1, 3), "2020-W53");
  assert.deepEqual(periodKeys(new Date("2026-11-25T23:30:00Z"), "Asia/Tokyo"), {
    day: "2026-11-26",
    week: "2026-W48",
    month: "2026-11",
  });
  const week = periodWindow("weekly", new Date("2026-11-25T12:00:00Z"), "Europe/Berlin");
  assert.deepEqual([week.start.toISOString(), week.end.toISOString(), week.key], [
    "2026-11-22T23:00:00.000Z",
    "2026-11-29T23:00:00.000Z",
    "2026-W48",
  ]);
  // The day the clocks go forward has 23 hours.
  const dst = periodWindow("daily", new Date("2026-03-29T12:00:00Z"), "Europe/Berlin");
  assert.equal(dst.end.getTime() - dst.start.getTime(), 23 * 3600_000);
  const month = periodWindow("monthly", new Date("2026-12-31T23:30:00Z"), "UTC");
  assert.deepEqual([month.start.toISOString(), month.end.toISOString()], [
    "2026-12-01T00:00:00.000Z",
    "2027-01-01T00:00:00.000Z",
  ]);
  assert.equal(
    parseBound("2026-11-25", "Asia/Kolkata", false).toISOString(),
    "2026-11-24T18:30:00.000Z",
  );
  assert.equal(parseBound("20261125", "UTC", true).toISOString(), "2026-11-26T00:00:00.000Z");
  assert.throws(() => parseBound("yesterday", "UTC", false), /Cannot read "yesterday" as a date/);
});

Deno.test("Claude Code and Codex read text fields alike: padded values trimmed, blank ones absent", () => {
  const c = { session: "s", project: "p", attribution: ctx };
  const line = (model: string, branch: string) =>
    parseClaudeLine(
      ccLine({
        id: "m2",
        model,
        time: "2026-11-25T00:00:00Z",
        input: 1,
        output: 1,
        branch,
        cwd: "/work/acme",
      }),
      c,
    )!;
  assert.equal(line(" claude-opus-4-1 ", "main").model, "claude-opus-4-1");
  assert.equal(line("   ", "main").model, "unknown");
  assert.equal(line("claude-opus-4-1", " br/billing ").feature, "billing");
  const state = codexInitialState("/x/rollout.jsonl");
  parseCodexLine(cxTurn(" gpt-5 ", "/work/acme", "2026-11-25T00:00:00.000Z"), state, ctx);
  const cx = parseCodexLine(
    cxCount("2026-11-25T00:01:00.000Z", { input: 10, cached: 0, output: 1 }),
    state,
    ctx,
  )!;
  assert.equal(cx.model, "gpt-5");
});

Deno.test("UTC wall clocks and the default zone agree with Intl's", async () => {
  const { defaultTimeZone, offsetMs, wallClock } = await import("../../src/cost/_time.ts");
  assert.equal(defaultTimeZone({}), Intl.DateTimeFormat().resolvedOptions().timeZone);
  assert.equal(defaultTimeZone({ TZ: ":Etc/UTC" }), "Etc/UTC");
  for (
    const iso of ["2026-11-25T23:59:59.999Z", "2024-02-29T00:00:00.000Z", "1999-12-31T12:34:56Z"]
  ) {
    const date = new Date(iso);
    for (const tz of ["UTC", "Etc/UTC"]) {
      const f = new Intl.DateTimeFormat("en-US", {
        timeZone: tz,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
      });
      const parts = Object.fromEntries(
        f.formatToParts(date).filter((p) => p.type !== "literal").map((p) => [p.type, +p.value]),
      );
      assert.deepEqual(wallClock(date, tz), {
        y: parts.year,
        m: parts.month,
        d: parts.day,
        h: parts.hour,
        min: parts.minute,
        s: parts.second,
      });
      assert.equal(offsetMs(date, tz), 0);
    }
  }
});

Deno.test("Claude Code lines: times as toISOString writes them are kept, others are rewritten so", () => {
  const c = { session: "s", project: "p", attribution: ctx };
  const timeOf = (time: string) =>
    parseClaudeLine(ccLine({ id: "m", model: "claude-sonnet-4-5", time, input: 1, output: 1 }), c)
      ?.time;
  assert.equal(timeOf("2026-11-25T10:00:00.123Z"), "2026-11-25T10:00:00.123Z");
  assert.equal(timeOf("2026-11-25T10:00:00Z"), "2026-11-25T10:00:00.000Z");
  assert.equal(timeOf("2026-11-25T10:00:00.123+02:00"), "2026-11-25T08:00:00.123Z");
  assert.equal(timeOf("2026-11-25 10:00:00.123Z"), "2026-11-25T10:00:00.123Z");
  assert.equal(timeOf("2026-11-25T10:00:00.1234Z"), "2026-11-25T10:00:00.123Z");
  // Lower-case letters are read, and written as toISOString writes them.
  assert.equal(timeOf("2026-11-25t10:00:00.123z"), "2026-11-25T10:00:00.123Z");
  assert.throws(() => timeOf("2026-11-25T1a:00:00.123Z"), RangeError);
});
