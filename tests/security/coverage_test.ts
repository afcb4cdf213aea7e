/**
 * Coverage and precision of the built-in secret rules: the labeled corpus, placeholders and
 * documentation sample keys, look-alikes of generic rules (hashes, UUIDs, import maps, base64
 * of text), severity in test fixtures, every Slack token kind and private key kind, and the
 * rules in force as `br security rules` lists them.
 */
import assert from "node:assert/strict";
import { builtinSecretRules, scanSecrets } from "../../src/security/mod.ts";
import { br, tempProject } from "../helpers.ts";
import { corpus, scoreCorpus } from "./corpus.ts";
import { ALNUM, rnd, SAMPLES } from "./samples.ts";

const p = (...parts: string[]) => parts.join("");
const HEX = "0123456789abcdef";
const B64 = ALNUM + "+/";
const rules = (text: string, file = "src/config.ts") =>
  scanSecrets(text + "\n", file, builtinSecretRules()).map((f) => f.rule);

Deno.test("labeled corpus: recall >= 0.95 and precision >= 0.95 with the built-in rules", () => {
  const cases = corpus();
  // several cases per rule: the sample in other syntaxes, and a look-alike
  assert.ok(cases.length > 4 * Object.keys(SAMPLES).length, String(cases.length));
  const score = scoreCorpus(builtinSecretRules(), cases);
  assert.ok(score.recall >= 0.95, `recall ${score.recall}; missed: ${score.missed.join("; ")}`);
  assert.ok(
    score.precision >= 0.95,
    `precision ${score.precision}; false alarms: ${score.alarms.join("; ")}`,
  );
});

Deno.test("placeholders and documentation sample keys are not reported", () => {
  const gh = p("gh", "p_");
  for (
    const line of [
      `token = "${gh}${"x".repeat(36)}"`,
      `token = "${gh}${"0".repeat(30)}${rnd(ALNUM, 6)}"`,
      `STRIPE_KEY=${p("sk", "_live_")}${"X".repeat(24)}`,
      `STRIPE_KEY=${p("sk", "_live_")}YOUR_SECRET_KEY_HERE_1234`,
      `SLACK=${p("xo", "xb-")}${"1".repeat(12)}-${"1".repeat(12)}-${"a".repeat(24)}`,
      `stripe.api_key = "${p("sk", "_test_", "4eC39HqLyjWDarjtT1zdp7dc")}"`,
      `SLACK=${p("xo", "xb-", "17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy")}`,
      `api_key = "${"ab".repeat(16)}"`,
      "npm_token = ${NPM_TOKEN_FROM_THE_ENVIRONMENT}",
      `SENDGRID=${p("S", "G.")}${"x".repeat(22)}.${"x".repeat(43)}`,
    ]
  ) {
    assert.deepEqual(rules(line), [], line);
  }
  // the same shapes with random values are found
  assert.deepEqual(rules(`token = "${gh}${rnd(ALNUM, 36)}"`), ["github-token"]);
  assert.deepEqual(rules(`STRIPE_KEY=${p("sk", "_live_")}${rnd(ALNUM, 24)}`), [
    "stripe-secret-key",
  ]);
});

Deno.test("generic rules skip hashes, UUIDs, import-map paths and base64 of text, not secrets", () => {
  const importMap = [
    "{",
    '  "imports": {',
    '    "secret_store/": "./ext/secret_store/src/mod.ts",',
    '    "token_bucket": "../../tests/util/std/token_bucket/mod.ts",',
    '    "@std/secret-token-utils": "jsr:@std/secret-token-utils@^1.0.3",',
    '    "api_key_rotation/": "/opt/deno/vendor/api_key_rotation/v2/"',
    "  }",
    "}",
  ].join("\n");
  assert.deepEqual(rules(importMap, "import_map.json"), []);
  for (
    const line of [
      `sha256_token = "${rnd(HEX, 64)}"`,
      `secret_checksum: ${rnd(HEX, 40)}`,
      `"integrity": "sha512-${rnd(B64, 86)}=="`,
      `token_id = "${rnd(HEX, 8)}-${rnd(HEX, 4)}-${rnd(HEX, 4)}-${rnd(HEX, 4)}-${rnd(HEX, 12)}"`,
      `secret_message = "${btoa("this is only a greeting, not a key")}"`,
      `token_payload = "${btoa('{"user":"ada","role":"admin"}')}"`,
      'secret_name = "prod-database-credentials-v2"',
    ]
  ) {
    assert.deepEqual(rules(line), [], line);
  }
  for (
    const line of [
      `api_token = "${rnd(HEX, 24)}${"fe8a1c07b3d94562"}"`,
      `SESSION_SECRET=${rnd(ALNUM, 20)}/${rnd(ALNUM, 20)}`,
      `token_key = "${
        btoa(String.fromCharCode(...rnd(ALNUM, 24).split("").map((c) => c.charCodeAt(0) + 120)))
      }"`,
    ]
  ) {
    assert.deepEqual(rules(line), ["generic-api-key"], line);
  }
});

Deno.test("a secret in a test fixture is reported one severity lower, not silenced", () => {
  const stripe = SAMPLES["stripe-secret-key"].hit;
  const key = SAMPLES["private-key"].hit;
  const severity = (text: string, file: string) =>
    scanSecrets(text, file, builtinSecretRules()).map((f) => f.severity);
  assert.deepEqual(severity(stripe, "src/pay.ts"), ["high"]);
  for (
    const file of [
      "tests/fixtures/pay.ts",
      "test/pay.ts",
      "src/__tests__/pay.ts",
      "pkg/testdata/pay.json",
      "src/pay_test.ts",
      "src/pay.test.ts",
      "src/pay.spec.js",
      "app/test_pay.py",
    ]
  ) {
    assert.deepEqual(severity(stripe, file), ["medium"], file);
  }
  assert.deepEqual(severity(key, "src/deploy.pem"), ["critical"]);
  assert.deepEqual(severity(key, "tests/fixtures/deploy.pem"), ["high"]);
  // names that only contain the word are not fixtures
  assert.deepEqual(severity(stripe, "src/contest/pay.ts"), ["high"]);
  assert.deepEqual(severity(stripe, "src/latest.ts"), ["high"]);
});

Deno.test("Slack: every token kind and webhook URL is found", () => {
  const D = "0123456789";
  const U = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
  const xo = (kind: string) => p("xo", "x", kind, "-");
  const cases: [string, string][] = [
    [`${xo("b")}${rnd(D, 12)}-${rnd(D, 13)}-${rnd(ALNUM, 24)}`, "slack-token"],
    [`${xo("b")}${rnd(D, 11)}-${rnd(ALNUM, 24)}`, "slack-token"],
    [`${xo("p")}${rnd(D, 12)}-${rnd(D, 12)}-${rnd(D, 12)}-${rnd(HEX, 32)}`, "slack-token"],
    [`${xo("e")}${rnd(D, 12)}-${rnd(D, 12)}-${rnd(D, 12)}-${rnd(HEX, 32)}`, "slack-token"],
    [`${xo("s")}${rnd(D, 10)}-${rnd(D, 10)}-${rnd(D, 12)}-${rnd(HEX, 64)}`, "slack-token"],
    [`${xo("o")}${rnd(D, 10)}-${rnd(D, 10)}-${rnd(D, 12)}-${rnd(HEX, 64)}`, "slack-token"],
    [`${xo("a")}2-${rnd(ALNUM, 40)}`, "slack-token"],
    [`${xo("r")}${rnd(ALNUM, 30)}`, "slack-token"],
    [p("xa", "pp-1-A", rnd(U, 10), "-", rnd(D, 13), "-", rnd(HEX, 64)), "slack-app-token"],
    [p("xo", "xe.xoxb-1-", rnd(U, 165)), "slack-config-token"],
    [p("xo", "xe-1-", rnd(U, 146)), "slack-config-token"],
    [
      p(
        "https://hooks.",
        "slack.com/services/T",
        rnd(U, 10),
        "/B",
        rnd(U, 10),
        "/",
        rnd(ALNUM, 24),
      ),
      "slack-webhook-url",
    ],
    [
      p(
        "https://hooks.",
        "slack.com/workflows/T",
        rnd(U, 10),
        "/A",
        rnd(U, 10),
        "/",
        rnd(D, 18),
        "/",
        rnd(ALNUM, 24),
      ),
      "slack-webhook-url",
    ],
  ];
  for (const [token, rule] of cases) assert.deepEqual(rules(`SLACK=${token}`), [rule], token);
});

Deno.test("private keys of every PEM and OpenSSH kind, and PuTTY keys, are critical", () => {
  const PK = p("PRIV", "ATE KEY");
  const block = (kind: string, header = "") =>
    p(
      "-----BEGIN ",
      kind,
      "-----\n",
      header,
      rnd(B64, 64),
      "\n",
      rnd(B64, 40),
      "\n-----END ",
      kind,
      "-----",
    );
  for (
    const kind of [
      PK,
      `RSA ${PK}`,
      `EC ${PK}`,
      `DSA ${PK}`,
      `OPENSSH ${PK}`,
      `ENCRYPTED ${PK}`,
      `PGP ${PK} BLOCK`,
      `SSH2 ENCRYPTED ${PK}`,
    ]
  ) {
    const found = scanSecrets(block(kind), "keys/k", builtinSecretRules());
    assert.deepEqual(found.map((f) => [f.rule, f.severity]), [["private-key", "critical"]], kind);
  }
  // with headers (an encrypted PKCS#1 key), and as a JSON string (a GCP service account file)
  assert.deepEqual(
    rules(block(`RSA ${PK}`, `Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,${rnd(HEX, 32)}\n\n`)),
    ["private-key"],
  );
  const json = `{\n  "type": "service_account",\n  "private_key_id": "${rnd(HEX, 40)}",\n` +
    `  "private_key": "${block(PK).replaceAll("\n", "\\n")}\\n"\n}`;
  assert.deepEqual(rules(json, "sa.json"), ["gcp-service-account-key", "private-key"]);
  assert.deepEqual(rules(SAMPLES["putty-private-key"].hit), ["putty-private-key"]);
});

Deno.test("br security rules lists built-in, config and extended rules with their source", async () => {
  await using dir = await tempProject();
  await Deno.writeTextFile(
    `${dir.path}/.gitleaks.toml`,
    [
      "[extend]",
      'path = "rules/base.toml"',
      'disabledRules = ["jwt"]',
      "[[rules]]",
      'id = "github-token"',
      'description = "Our GitHub rule"',
      "regex = '''ghp_[0-9a-zA-Z]{36}'''",
      'keywords = ["ghp_"]',
      "[[rules]]",
      'id = "acme-token"',
      "regex = '''acme_[0-9a-z]{20}'''",
      'severity = "critical"',
    ].join("\n"),
  );
  await Deno.mkdir(`${dir.path}/rules`);
  await Deno.writeTextFile(
    `${dir.path}/rules/base.toml`,
    ["[[rules]]", 'id = "base-rule"', "regex = '''base-[a-z]{10}'''"].join("\n"),
  );
  const res = await br(["security", "rules", "--json"], { cwd: dir.path });
  assert.equal(res.code, 0, res.stderr);
  const list = JSON.parse(res.stdout) as {
    id: string;
    source: string;
    file: string | null;
    severity: string;
  }[];
  const byId = new Map(list.map((r) => [r.id, r]));
  assert.equal(byId.get("aws-access-key-id")?.source, "builtin");
  assert.equal(byId.get("aws-access-key-id")?.file, null);
  // A project's file cannot change a built-in rule (the secret gate): it stays built in.
  assert.deepEqual(byId.get("github-token"), {
    ...byId.get("github-token")!,
    source: "builtin",
    file: null,
  });
  assert.notEqual(
    (byId.get("github-token") as { description?: string }).description,
    "Our GitHub rule",
  );
  assert.equal(byId.get("acme-token")?.severity, "critical");
  assert.equal(byId.get("acme-token")?.source, "config");
  assert.deepEqual([byId.get("base-rule")?.source, byId.get("base-rule")?.file], [
    "extends",
    "rules/base.toml",
  ]);
  // disabledRules cannot take a built-in rule out of a project (the secret gate)
  assert.equal(byId.get("jwt")?.source, "builtin", "a built-in rule stays in force");
  assert.equal(list.filter((r) => r.id === "github-token").length, 1);
  // generic rules run last, as in a scan
  assert.equal(list.at(-1)!.id, "generic-api-key");

  const text = await br(["security", "rules"], { cwd: dir.path });
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /^base-rule\s+high\s+extends rules\/base\.toml/m);
  assert.match(
    text.stdout,
    new RegExp(
      `${list.length} rules: ${
        list.length - 2
      } built-in, 1 from the rules file, 1 from files it extends`,
    ),
  );
});

Deno.test("GitHub and npm tokens: a failed CRC-32 checksum lowers the severity, a valid one keeps it", async () => {
  const { crc32 } = await import("node:zlib");
  const B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  const withSum = (prefix: string) => {
    const body = rnd(ALNUM, 30);
    let n = crc32(body);
    let sum = "";
    for (let i = 0; i < 6; i++, n = Math.floor(n / 62)) sum = B62[n % 62] + sum;
    return prefix + body + sum;
  };
  const scan = (token: string) =>
    scanSecrets(`TOKEN=${token}\n`, "src/a.env", builtinSecretRules()).map((f) =>
      `${f.rule} ${f.severity} ${f.message}`
    );
  for (
    const [prefix, rule, what] of [
      [p("gh", "p_"), "github-token", "GitHub personal, OAuth, app or refresh token"],
      [p("gh", "s_"), "github-token", "GitHub personal, OAuth, app or refresh token"],
      [p("np", "m_"), "npm-access-token", "npm access token"],
    ]
  ) {
    const good = withSum(prefix);
    assert.deepEqual(scan(good), [`${rule} high ${what}`]);
    // one character of the body changed: the checksum no longer matches
    const bad = good.slice(0, 10) + (good[10] === "A" ? "B" : "A") + good.slice(11);
    assert.deepEqual(scan(bad), [`${rule} medium ${what} (its checksum does not match)`]);
  }
});

Deno.test("docs/security.md has a table row for every built-in rule, and only for those", async () => {
  const { BUILTIN_SECRET_RULES } = await import("../../src/security/mod.ts");
  const text = await Deno.readTextFile(new URL("../../docs/security.md", import.meta.url));
  const docs = text.slice(text.indexOf("### Rules"), text.indexOf("**Entropy**"));
  // provider | rule id | gitleaks ids | format (pipes escaped) | severity
  const rows = [
    ...docs.matchAll(/^\|[^|]+\|\s*`([a-z0-9-]+)`\s*\|[^|]+\|(?:[^|\\]|\\.)+\|\s*[a-z]+/gm),
  ].map((m) => m[1]);
  assert.deepEqual(rows.toSorted(), BUILTIN_SECRET_RULES.map((r) => r.id).toSorted());
});

Deno.test("token formats as other scanners' generators write them are found", () => {
  const LA = "abcdefghijklmnopqrstuvwxyz0123456789";
  const jwtPart = (n: number) => rnd(ALNUM + "_-", n);
  const cases: [string, string, string?][] = [
    // a Telegram token next to its name, its 35 characters not starting "AA"
    [`telegram_bot_token = "${rnd("0123456789", 10)}:A${rnd(LA, 34)}"`, "telegram-bot-token"],
    // SendGrid: 66 characters after "SG." in any arrangement
    [`SENDGRID_API_KEY=${p("S", "G.", rnd(ALNUM + "_-.", 66))}`, "sendgrid-api-key"],
    // an unsigned JWT (alg none) ends at its second dot
    [`token: ${p("ey", "J", jwtPart(30), ".ey", "J", jwtPart(40), ".")}`, "jwt"],
    // Mapbox: pk. + 60 + . + 22 near the word mapbox
    [`MAPBOX_TOKEN = "${p("pk", ".", rnd(LA, 60), ".", rnd(LA, 22))}"`, "mapbox-api-token"],
    // a NuGet password under key="Password"
    [`<add key="Password" value="${rnd(ALNUM, 14)}" />`, "nuget-config-password"],
    // Stripe keys of 10 characters or more, Twilio keys in upper-case hex
    [`STRIPE=${p("sk", "_test_", rnd(ALNUM, 12))}`, "stripe-secret-key"],
    [`TWILIO=${p("S", "K", rnd("0123456789ABCDEF", 32))}`, "twilio-api-key"],
    // Square tokens of 22 to 60 characters after their prefix
    [`SQUARE=${p("EA", "AA", rnd(ALNUM, 40))}`, "square-access-token"],
    // a URL password that merely contains a placeholder word is still a password
    [`url = "https://deploy:compass${rnd(ALNUM, 8)}@git.acme.io/app.git"`, "basic-auth-url"],
    // a Kubernetes Secret whose data comes before its kind
    [
      `apiVersion: v1\ndata:\n  token: ${
        btoa(rnd(ALNUM, 24))
      }\nmetadata:\n  name: t\nkind: Secret\n`,
      "kubernetes-secret-yaml",
      "3",
    ],
  ];
  for (const [text, rule, line] of cases) {
    const found = scanSecrets(text + "\n", "src/config.ts", builtinSecretRules());
    assert.deepEqual(found.map((f) => f.rule), [rule], text);
    if (line) assert.equal(String(found[0].line), line);
  }
});
