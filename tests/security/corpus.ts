/**
 * A labeled corpus of secret-scanner cases, built at run time (no literal token in the
 * repository): for every built-in rule its true sample as written and, for an assignment, in
 * five other syntaxes (JSON, YAML, shell, a Python dict, Go), and its look-alike, plus look-alikes that no rule may report:
 * placeholders, documentation sample keys, hashes, UUIDs, paths and import maps, base64 of
 * text, public keys, environment references. `bench/secrets.ts` reports recall and precision
 * on it; `corpus_test.ts` keeps them above the targets.
 */
import { scanSecrets } from "../../src/security/mod.ts";
import type { SecretRuleSet } from "../../src/security/types.ts";
import { ALNUM, rnd, SAMPLES } from "./samples.ts";

/** One labeled case: a text, and the rule that must report it (null: nothing may). */
export interface CorpusCase {
  /** Text of a file (one or more lines). */
  text: string;
  /** The rule id that must find a secret in it, or null for a look-alike. */
  rule: string | null;
  /** What the case is (for reports of misses and false alarms). */
  label: string;
  /** The file it is in (default `src/settings.txt`). */
  file?: string;
  /**
   * For a rule's look-alike (a token cut short or of the wrong alphabet, often under a
   * secret-looking name): only specific rules count as false alarms on it; a generic rule
   * reporting a random value assigned to `SOME_TOKEN` is right to.
   */
  not?: string;
}

const HEX = "0123456789abcdef";
const B64 = ALNUM + "+/";
const p = (...parts: string[]) => parts.join("");
const uuid = () => `${rnd(HEX, 8)}-${rnd(HEX, 4)}-${rnd(HEX, 4)}-${rnd(HEX, 4)}-${rnd(HEX, 12)}`;

const SYNTAXES = ["JSON", "YAML", "shell", "Python dict", "Go"];

/**
 * `NAME=VALUE` or `NAME = "VALUE"` rewritten in other syntaxes: a JSON member, a YAML entry,
 * a shell export in single quotes, a Python dict entry, a Go assignment to the camel-cased name.
 */
function otherSyntaxes(line: string): string[] {
  const m = line.match(/^([A-Za-z_][\w.]*)\s*=\s*"?([^"\s]+)"?$/);
  if (!m) return [];
  const [, name, value] = m;
  const camel = name.toLowerCase().replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
  return [
    `  "${name}": "${value}",`,
    `${name}: ${value}`,
    `export ${name}='${value}'`,
    `settings = {"${name.toLowerCase()}": "${value}", "debug": False}`,
    `\t${camel} := "${value}"`,
  ];
}

/** Look-alikes that no built-in rule may report. */
function lookAlikes(): [string, string][] {
  return [
    ["github placeholder", `token = "${p("gh", "p_")}${"x".repeat(36)}"`],
    ["github template", 'token: "${{ secrets.GITHUB_TOKEN }}"'],
    ["stripe placeholder", `STRIPE_KEY=${p("sk", "_live_")}<your-secret-key-here>`],
    ["stripe doc sample", `stripe.api_key = "${p("sk", "_test_", "4eC39HqLyjWDarjtT1zdp7dc")}"`],
    [
      "jwt.io sample",
      `auth = "${
        p(
          "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9",
          ".eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ",
          ".SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c",
        )
      }"`,
    ],
    ["aws doc sample", `aws_access_key_id = ${p("AKIA", "IOSFODNN7", "EXAMPLE")}`],
    ["slack placeholder", `SLACK_BOT_TOKEN=${p("xo", "xb-")}your-bot-token`],
    ["slack repeated", `SLACK_BOT_TOKEN=${p("xo", "xb-", "0".repeat(12), "-", "0".repeat(24))}`],
    ["npm env reference", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}"],
    ["password env reference", 'password = os.environ["DB_PASSWORD"]'],
    ["password from process.env", "const secret = process.env.SESSION_SECRET_VALUE;"],
    ["password placeholder", 'password: "<password>"'],
    ["password changeme", 'db_password = "changeme-changeme-123"'],
    ["sha256 digest", `sha256_token = "${rnd(HEX, 64)}"`],
    ["integrity hash", `"integrity": "sha512-${rnd(B64, 86)}=="`],
    ["commit hash", `token_commit: ${rnd(HEX, 40)}`],
    ["uuid token id", `token_id = "${uuid()}"`],
    ["uuid request", `request_id: ${uuid()}`],
    ["import map path", '    "secret_store/": "./ext/secret_store/src/mod.ts",'],
    ["import map path 2", '    "token_utils/": "../third_party/token_utils/v2/mod.ts",'],
    ["module specifier", 'apiKeyModule = "@acme/api-key-rotation/v2"'],
    ["base64 of text", `secret_message = "${btoa("this is not a secret, only a greeting")}"`],
    ["base64 of json", `token_payload = "${btoa('{"user":"ada","role":"admin","n":12}')}"`],
    [
      "public key",
      p("-----BEGIN PUBLIC", " KEY-----\n", rnd(B64, 64), "\n-----END PUBLIC KEY-----"),
    ],
    ["ssh public key", `ssh-ed25519 ${p("AAAAC3NzaC1lZDI1NTE5AAAA", rnd(B64, 43))} ada@host`],
    ["url without password", "REGISTRY=https://registry.acme.io/v2/library"],
    ["url password placeholder", "url = https://user:password@example.com/repo.git"],
    ["db url env", "DATABASE_URL=postgres://app:${DB_PASSWORD}@db:5432/app"],
    ["identifier", "token = self.request.session_token_value"],
    ["camel case", 'tokenType = "refreshTokenExpiredError"'],
    ["kebab name", 'secret_name = "prod-database-credentials-v2"'],
    ["bearer word", 'token_type = "Bearer"'],
    ["version", 'api_key_version = "2024-11-02.1.0"'],
    ["css color", "--token-color-primary: #1a2b3c4d;"],
    ["repeated chars", `api_key = "${"a".repeat(32)}"`],
    ["counting sequence", 'secret = "1234567890abcdefghij"'],
    ["curl env", 'curl -H "Authorization: Bearer $TOKEN" https://api.acme.io'],
    ["curl user env", 'curl -u "$USER:$PASSWORD" https://api.acme.io'],
    ["authorization placeholder", 'Authorization: "Bearer <token>"'],
    [
      "aws short",
      `AWS_SECRET_ACCESS_KEY = "${p("wJalrXUtnFEMI", "/K7MDENG/bPxRfiCY", "EXAMPLEKEY")}"`,
    ],
    ["google placeholder", `GOOGLE_API_KEY=${p("AI", "za")}XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX`],
    ["heroku without name", `build_id = ${uuid()}`],
    ["twilio sid", `TWILIO_ACCOUNT_SID=${p("A", "C", rnd(HEX, 32))}`],
    ["k8s configmap", `kind: ConfigMap\ndata:\n  mode: ${btoa("production")}`],
    ["lorem", 'description = "The secret of a good token budget is planning ahead."'],
  ];
}

/** Cases in other contexts than the samples', with the rule that must report them. */
function moreSecrets(): [string, string, string][] {
  const pem = (kind: string, body = rnd(B64, 64)) =>
    p("-----BEGIN ", kind, "-----\n", body, "\n", rnd(B64, 64), "\n-----END ", kind, "-----");
  const PK = p("PRIV", "ATE KEY");
  const gh = p("gh", "p_", rnd(ALNUM, 36));
  return [
    ["generic-api-key", "client secret in YAML", `client_secret: "${rnd(ALNUM, 32)}"`],
    [
      "generic-password",
      "password in JSON",
      `  "password": "${rnd(ALNUM, 14)}9!${rnd(ALNUM, 6)}",`,
    ],
    ["generic-api-key", "hex auth token", `auth_token = '${rnd(HEX, 40)}'`],
    ["generic-api-key", "session secret env", `SESSION_SECRET=${rnd(B64, 44)}`],
    ["generic-api-key", "api key in a Go struct", `\tAPIKey: "${rnd(ALNUM, 28)}",`],
    [
      "github-token",
      "token in a clone URL",
      `git clone https://x-access-token:${gh}@github.com/acme/app.git`,
    ],
    ["private-key", "RSA key", pem(p("RSA ", PK))],
    ["private-key", "EC key", pem(p("EC ", PK))],
    ["private-key", "DSA key", pem(p("DSA ", PK))],
    ["private-key", "OpenSSH key", pem(p("OPENSSH ", PK))],
    ["private-key", "PKCS#8 encrypted key", pem(p("ENCRYPTED ", PK))],
    ["private-key", "PGP key block", pem(p("PGP ", PK, " BLOCK"), `Version: 1\n\n${rnd(B64, 64)}`)],
    [
      "private-key",
      "key in a GCP service account JSON",
      `  "private_key": "${pem(PK).replaceAll("\n", "\\n")}\\n",`,
    ],
    [
      "slack-webhook-url",
      "webhook in JSON",
      `  "url": "${
        p(
          "https://hooks.",
          "slack.com/services/T",
          rnd(ALNUM, 10),
          "/B",
          rnd(ALNUM, 10),
          "/",
          rnd(ALNUM, 24),
        )
      }"`,
    ],
    [
      "curl-auth-user",
      "curl --user",
      `curl --user admin:${rnd(ALNUM, 16)} -X POST https://ci.acme.io/job`,
    ],
    [
      "authorization-header",
      "requests header",
      `requests.get(url, headers={"Authorization": "Bearer ${rnd(ALNUM, 40)}"})`,
    ],
    ["basic-auth-url", "ftp URL", `mirror = "ftp://mirror:${rnd(ALNUM, 12)}@files.acme.io/pub"`],
    [
      "database-url-password",
      "mongodb+srv URL",
      `MONGO_URL=mongodb+srv://app:${rnd(ALNUM, 20)}@cluster0.acme.net/db`,
    ],
    [
      "stripe-secret-key",
      "restricted key",
      `const stripe = new Stripe("${p("rk", "_live_", rnd(ALNUM, 99))}");`,
    ],
    [
      "npm-access-token",
      "npmrc",
      `//registry.npmjs.org/:_authToken=${p("np", "m_", rnd(ALNUM, 36))}`,
    ],
    [
      "gcp-api-key",
      "key in a URL",
      `https://maps.googleapis.com/maps/api/js?key=${p("AI", "za", rnd(ALNUM + "_-", 35))}`,
    ],
  ];
}

/** The whole corpus (deterministic). */
export function corpus(): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (const [rule, s] of Object.entries(SAMPLES)) {
    const file = s.file;
    cases.push({ text: s.hit, rule, label: `${rule} sample`, file });
    for (const [i, text] of otherSyntaxes(s.hit).entries()) {
      cases.push({ text, rule, label: `${rule} as ${SYNTAXES[i]}`, file });
    }
    cases.push({ text: s.miss, rule: null, label: `${rule} look-alike`, not: rule, file });
  }
  for (const [rule, label, text] of moreSecrets()) cases.push({ text, rule, label });
  for (const [label, text] of lookAlikes()) cases.push({ text, rule: null, label });
  return cases;
}

/** Recall and precision of a rule set on the corpus, and the cases it got wrong. */
export interface CorpusScore {
  positives: number;
  negatives: number;
  /** Positive cases where their rule (or, for a generic rule's case, any rule) found it. */
  found: number;
  /** Look-alike cases where some rule reported something. */
  falseAlarms: number;
  recall: number;
  precision: number;
  /** Labels of missed positives and of reported look-alikes. */
  missed: string[];
  alarms: string[];
}

/**
 * Scores `set` on the corpus, case by case (each case a file of its own). A positive counts
 * as found when its rule reports it, a look-alike as a false alarm when any rule reports it
 * (and a positive reported only by another rule as a miss and a false alarm).
 */
export function scoreCorpus(set: SecretRuleSet, cases: CorpusCase[] = corpus()): CorpusScore {
  let found = 0;
  let wrong = 0;
  const missed: string[] = [];
  const alarms: string[] = [];
  const generic = new Set(set.rules.filter((r) => r.generic).map((r) => r.id));
  for (const c of cases) {
    const reported = scanSecrets(c.text + "\n", c.file ?? "src/settings.txt", set);
    const rules = reported.filter((f) => !(c.not && generic.has(f.rule))).map((f) => f.rule);
    if (c.rule === null) {
      if (rules.length) {
        wrong++;
        alarms.push(`${c.label} (${rules.join(", ")})`);
      }
    } else if (rules.includes(c.rule)) found++;
    else {
      missed.push(c.label);
      if (rules.length) {
        wrong++;
        alarms.push(`${c.label} (${rules.join(", ")})`);
      }
    }
  }
  const positives = cases.filter((c) => c.rule !== null).length;
  return {
    positives,
    negatives: cases.length - positives,
    found,
    falseAlarms: wrong,
    recall: found / positives,
    precision: found / (found + wrong),
    missed,
    alarms,
  };
}
