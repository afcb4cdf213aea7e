import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { detectIndustry, detectUseCase, INDUSTRIES, USE_CASES } from "../../src/spec/mod.ts";
import { tempDir } from "../helpers.ts";

const INDUSTRY_CASES: Record<string, string[]> = {
  healthcare: [
    "A portal where patients book visits and read their lab results",
    "Scheduling tool for a small dental practice with reminders by text",
    "Telehealth video consultations between therapists and their clients",
    "Track medication doses for elderly people and alert their caregivers",
    "Hospital ward software so nurses can hand over shifts safely",
  ],
  fintech: [
    "A mobile wallet to send money to friends and split bills",
    "Loan origination workflow for a community bank",
    "Detect fraud in card transactions in real time",
    "Personal budgeting app that categorizes spending from linked accounts",
    "Crypto trading terminal with portfolio tracking",
  ],
  saas: [
    "Multi-tenant project management tool sold as a monthly subscription",
    "B2B SaaS for scheduling social posts, with a free trial and per-seat pricing",
    "A workspace where remote teams share docs, billed per seat",
    "Self-serve subscription billing and churn reduction for software companies",
    "Team plan upgrades and workspace invitations for our collaboration tool",
  ],
  "e-commerce": [
    "An online store selling handmade candles with a shopping cart and checkout",
    "Inventory and order tracking for a sneaker shop",
    "Storefront for a clothing retailer with coupons and free shipping",
    "Product catalog with SKUs synced to Shopify",
    "Checkout flow for a grocery delivery shop",
  ],
  education: [
    "Students submit homework and teachers grade it online",
    "An LMS for a university with courses and quizzes",
    "Tutoring marketplace matching learners with tutors",
    "Classroom attendance and lesson plans for primary school teachers",
    "Exam preparation app with practice questions for high school students",
  ],
  "real-estate": [
    "Listings of apartments for rent with photos and virtual tours",
    "Landlords collect rent and manage leases online",
    "A tool for realtors to schedule open house visits",
    "Property management software for condo buildings",
    "Help home buyers compare neighborhoods and property prices",
  ],
  media: [
    "A news site with breaking stories and a newsroom workflow",
    "Podcast hosting with episode analytics for creators",
    "Video streaming service for independent films",
    "Digital magazine with paywalled journalism",
    "Music streaming app with playlists and radio",
  ],
  enterprise: [
    "Employee leave requests and approvals for HR",
    "Procurement portal where departments raise purchase orders",
    "Corporate intranet with SSO for 20,000 employees",
    "Payroll and workforce planning for a global company",
    "ERP module for supply chain planning across business units",
  ],
};

const USE_CASE_CASES: Record<string, string[]> = {
  dashboard: [
    "A dashboard showing server health at a glance",
    "KPI widgets for the operations team on one screen",
    "Real-time metrics wallboard for the support floor",
    "Monitoring view of our delivery fleet with live status tiles",
    "A home screen summarizing today's numbers with a few charts and KPIs",
  ],
  marketplace: [
    "A marketplace connecting buyers and sellers of used bikes",
    "Two-sided platform where freelancers bid on projects",
    "Peer-to-peer rental of camping gear with a commission on each booking",
    "Hosts list rooms and guests book them; we take a commission",
    "Online auction for collectible cards between private sellers",
  ],
  crm: [
    "A CRM to track leads and deals for a small sales team",
    "Manage contacts, follow-ups and the sales pipeline",
    "Account managers log calls with clients and see their prospects",
    "Customer relationship tool for real estate agents tracking prospects",
    "Sales reps track opportunities and cold outreach sequences",
  ],
  analytics: [
    "Product analytics with funnels and cohort retention",
    "Reporting on marketing attribution across channels",
    "Business intelligence reports over our data warehouse",
    "Explore data with ad-hoc queries and visualizations",
    "Forecast demand trends from historical sales analysis",
  ],
  onboarding: [
    "Onboarding flow that walks new users through account setup",
    "A welcome checklist and guided tour on first login",
    "Step-by-step setup wizard for connecting a bank account",
    "New hire onboarding: paperwork, laptop request and first day schedule",
    "Improve activation with a getting started walkthrough",
  ],
  "admin-panel": [
    "Admin panel to manage users, roles and permissions",
    "Back office for support staff to refund orders and ban abusers",
    "Moderation queue for reported posts with an audit log",
    "Internal tool where operators toggle feature flags",
    "A support console to impersonate customers and reset their settings",
  ],
  "content-platform": [
    "A blogging platform where authors publish articles",
    "Community site for sharing recipes with comments",
    "Newsletter publishing for independent writers",
    "Knowledge base and wiki for our product documentation",
    "A platform where creators post videos and followers comment",
  ],
  "api-service": [
    "A REST API that returns exchange rates",
    "GraphQL endpoint aggregating shipping carriers",
    "Webhook delivery service with retries and rate limits",
    "An SDK and HTTP service for sending transactional SMS",
    "Headless backend service with an OpenAPI spec for mobile clients",
  ],
};

function accuracy(
  cases: Record<string, string[]>,
  detect: (text: string) => { value: string; confidence: number },
  label: string,
): number {
  let right = 0;
  let total = 0;
  const misses: string[] = [];
  for (const [expected, texts] of Object.entries(cases)) {
    for (const text of texts) {
      total++;
      const got = detect(text);
      if (got.value === expected) right++;
      else misses.push(`  ${expected} <- ${got.value} (${got.confidence}): ${text}`);
    }
  }
  const acc = right / total;
  console.log(`${label} detection accuracy: ${right}/${total} = ${(acc * 100).toFixed(1)}%`);
  if (misses.length) console.log(misses.join("\n"));
  return acc;
}

Deno.test("detectIndustry() is right on at least 90% of 40 descriptions", () => {
  assert.equal(Object.keys(INDUSTRY_CASES).length, 8);
  for (const texts of Object.values(INDUSTRY_CASES)) assert.ok(texts.length >= 5);
  assert.ok(accuracy(INDUSTRY_CASES, (t) => detectIndustry(t), "industry") >= 0.9);
});

Deno.test("detectUseCase() is right on at least 90% of 40 descriptions", () => {
  assert.equal(Object.keys(USE_CASE_CASES).length, 8);
  for (const texts of Object.values(USE_CASE_CASES)) assert.ok(texts.length >= 5);
  assert.ok(accuracy(USE_CASE_CASES, (t) => detectUseCase(t), "use case") >= 0.9);
});

Deno.test("detection says unknown rather than guess on vague descriptions", () => {
  for (const text of ["A tool", "Something useful for people", "My side project", ""]) {
    for (const d of [detectIndustry(text), detectUseCase(text)]) {
      assert.equal(d.value, "unknown", text);
      assert.equal(d.confidence, 0, text);
      assert.deepEqual(d.candidates, [], text);
    }
  }
  // One telling word is thinner evidence than a sentence, and a high threshold refuses it.
  const one = detectIndustry("An app about money");
  const more = detectIndustry(
    "An app to send money to friends and split bills from a bank account",
  );
  assert.equal(one.value, "fintech");
  assert.ok(one.confidence < more.confidence, `${one.confidence} < ${more.confidence}`);
  assert.equal(detectIndustry("An app about money", 0.95).value, "unknown");
  assert.equal(detectIndustry("An app about money", 0.95).candidates[0].name, "fintech");
});

Deno.test("detection reports the deciding words and the top candidates with scores", () => {
  const d = detectIndustry("A portal where patients book visits with their doctor");
  assert.equal(d.value, "healthcare");
  assert.ok(d.matched.includes("patients") && d.matched.includes("doctor"), d.matched.join());
  assert.ok(d.confidence >= 0.9, String(d.confidence));
  assert.equal(d.candidates.length, 3);
  assert.equal(d.candidates[0].name, "healthcare");
  assert.equal(d.candidates[0].score, d.confidence);
  assert.ok(d.candidates[0].score >= d.candidates[1].score);
  assert.ok(d.candidates[1].score >= d.candidates[2].score);
  // A higher threshold turns a thin match into unknown, and still shows the candidates.
  const thin = detectIndustry("Track rent", 0.99);
  assert.equal(thin.value, "unknown");
  assert.equal(thin.candidates[0].name, "real-estate");
});

const FIXTURES = new URL("../fixtures/spec/", import.meta.url);
const readRows = async (name: string) =>
  (await Deno.readTextFile(new URL(name, FIXTURES))).split("\n").filter((l) => l.trim()).map(
    (l) => JSON.parse(l) as { text: string; industry: string; use_case: string },
  );

// The new held-out set was written before the current model and is never used to train or
// tune it; the earlier one had been measured before, so it only has to stay above 80%.
for (
  const [name, floor] of [["descriptions_heldout2.jsonl", 0.85], [
    "descriptions_heldout.jsonl",
    0.8,
  ]] as const
) {
  Deno.test(`detection on ${name}: industry and use case >= ${floor * 100}%, unknown <= 5%`, async () => {
    const rows = await readRows(name);
    const train = new Set((await readRows("descriptions_train.jsonl")).map((r) => r.text));
    assert.ok(rows.length >= 120, String(rows.length));
    assert.equal(
      rows.filter((r) => train.has(r.text)).length,
      0,
      "held-out rows are not in training",
    );
    // Every industry x use case pair at least twice.
    const pairs = new Map<string, number>();
    for (const r of rows) {
      pairs.set(`${r.industry}/${r.use_case}`, (pairs.get(`${r.industry}/${r.use_case}`) ?? 0) + 1);
    }
    for (const i of INDUSTRIES) {
      for (const u of USE_CASES) assert.ok((pairs.get(`${i}/${u}`) ?? 0) >= 2, `${i}/${u}`);
    }
    for (
      const [key, detect] of [
        ["industry", detectIndustry],
        ["use_case", detectUseCase],
      ] as const
    ) {
      const got = rows.map((r) => detect(r.text));
      const right = got.filter((g, i) => g.value === rows[i][key]).length;
      const unknown = got.filter((g) => g.value === "unknown").length;
      console.log(`${key}: ${right}/${rows.length} right, ${unknown} unknown`);
      assert.ok(right / rows.length >= floor, `${key} ${right}/${rows.length}`);
      assert.ok(unknown / rows.length <= 0.05, `${key} unknown ${unknown}/${rows.length}`);
    }
  });
}

Deno.test("the new held-out set is frozen: its checksum is the one it was committed with", async () => {
  const bytes = await Deno.readFile(new URL("descriptions_heldout2.jsonl", FIXTURES));
  const hash = Array.from(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)))
    .map((b) => b.toString(16).padStart(2, "0")).join("");
  assert.equal(hash, "224dcecfe37bfbc436bc4dac672df24359ae7a3ff2dfbdf4fa2d372fd79cd835");
});

Deno.test("the committed model is what scripts/train_detect.ts builds from the training data", async () => {
  await using dir = await tempDir();
  const out = join(dir.path, "model.json");
  const res = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--quiet",
      "-A",
      fileURLToPath(new URL("../../scripts/train_detect.ts", import.meta.url)),
      "--out",
      out,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.ok(res.success, new TextDecoder().decode(res.stderr));
  const committed = await Deno.readTextFile(
    new URL("../../src/spec/detect_model.json", import.meta.url),
  );
  assert.equal(await Deno.readTextFile(out), committed, "run scripts/train_detect.ts");
});
