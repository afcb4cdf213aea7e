/**
 * Secret samples for the tests. Every sample is assembled at run time from pieces and a
 * seeded generator, so this repository holds no literal secret that would trip a scanner
 * (ours, gitleaks, GitHub push protection). Keep it that way: never paste a real-looking
 * token as one literal.
 */

import { PROVIDER_SAMPLES } from "./samples_providers.ts";

let seed = 42;
/** Deterministic pseudo-random string of `n` characters from `alphabet`. */
export function rnd(alphabet: string, n: number): string {
  let out = "";
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
    out += alphabet[(seed >>> 8) % alphabet.length];
  }
  return out;
}

const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER = "abcdefghijklmnopqrstuvwxyz";
const DIGITS = "0123456789";
/** Letters and digits. */
export const ALNUM: string = UPPER + LOWER + DIGITS;
const HEX = "0123456789abcdef";
const B32 = UPPER + "234567";
const B64 = ALNUM + "+/";
const URLSAFE = ALNUM + "_-";
const p = (...parts: string[]) => parts.join("");

/** One rule's true sample and near miss (each a line of code). */
export interface Sample {
  /** A line the rule must report. */
  hit: string;
  /** A line that looks close but the rule must not report. */
  miss: string;
  /** The line of `hit` the secret is on (default 1). */
  line?: number;
  /** The file the samples are in (default `src/config.ts`; for rules with a path filter). */
  file?: string;
}

const uuid = () => `${rnd(HEX, 8)}-${rnd(HEX, 4)}-${rnd(HEX, 4)}-${rnd(HEX, 4)}-${rnd(HEX, 12)}`;
const pem = (kind: string) =>
  p("-----BEGIN ", kind, "-----\n", rnd(B64, 64), "\n", rnd(B64, 64), "\n-----END ", kind, "-----");

/** Samples per built-in rule id. */
export const SAMPLES: Record<string, Sample> = {
  "aws-access-key-id": {
    hit: `aws_access_key_id = ${p("AK", "IA", rnd(B32, 16))}`,
    miss: `id = ${p("AK", "IA", rnd(B32, 15))}`,
  },
  "aws-secret-access-key": {
    hit: `aws_secret_access_key = "${rnd(B64, 40)}"`,
    miss: `aws_secret_access_key = "${rnd(B64, 39)}"`,
  },
  "gcp-api-key": {
    hit: `const key = "${p("AI", "za", rnd(URLSAFE, 35))}";`,
    miss: `const key = "${p("AI", "za", rnd(URLSAFE, 30))}";`,
  },
  "gcp-service-account-key": {
    hit: `  "private_key_id": "${rnd(HEX, 40)}",`,
    miss: `  "private_key_id": "${rnd(HEX, 39)}",`,
  },
  "azure-storage-account-key": {
    hit: `conn = "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${rnd(B64, 86)}==;"`,
    miss: `conn = "DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${rnd(B64, 60)}==;"`,
  },
  "azure-ad-client-secret": {
    hit: `AZURE_CLIENT_SECRET="${p(rnd(ALNUM, 3), "8Q", "~", rnd(ALNUM, 34))}"`,
    miss: `AZURE_CLIENT_SECRET="${p(rnd(ALNUM, 3), "8Q", "~", rnd(ALNUM, 20))}"`,
  },
  "github-token": {
    hit: `token = "${p("gh", "p_", rnd(ALNUM, 36))}"`,
    miss: `token = "${p("gh", "x_", rnd(ALNUM, 36))}"`,
  },
  "github-fine-grained-pat": {
    hit: `token = "${p("github", "_pat_", rnd(ALNUM + "_", 82))}"`,
    miss: `token = "${p("github", "_pat_", rnd(ALNUM, 40))}"`,
  },
  "gitlab-token": {
    hit: `GITLAB_TOKEN=${p("gl", "pat-", rnd(ALNUM, 20))}`,
    miss: `GITLAB_TOKEN=${p("gl", "pat-", rnd(ALNUM, 12))}`,
  },
  "slack-token": {
    hit: `SLACK=${p("xo", "xb-", rnd(DIGITS, 12), "-", rnd(ALNUM, 24))}`,
    miss: `SLACK=${p("xo", "xq-", rnd(DIGITS, 12), "-", rnd(ALNUM, 24))}`,
  },
  "slack-webhook-url": {
    hit: `url = "${
      p(
        "https://hooks.",
        "slack.com/services/T",
        rnd(UPPER, 10),
        "/B",
        rnd(UPPER, 10),
        "/",
        rnd(ALNUM, 24),
      )
    }"`,
    miss: `url = "${
      p("https://hooks.", "slack.com/services/T", rnd(UPPER, 10), "/B", rnd(UPPER, 10), "/XXXX")
    }"`,
  },
  "slack-app-token": {
    hit: `SLACK_APP_TOKEN=${
      p("xa", "pp-1-", "A0", rnd(UPPER + DIGITS, 9), "-", rnd(DIGITS, 13), "-", rnd(HEX, 64))
    }`,
    miss: `SLACK_APP_TOKEN=${p("xa", "pp-1-", "A0", rnd(UPPER + DIGITS, 9))}`,
  },
  "slack-config-token": {
    hit: `SLACK_CONFIG_TOKEN=${p("xo", "xe.xoxp-1-", rnd(UPPER + DIGITS, 164))}`,
    miss: `SLACK_CONFIG_TOKEN=${p("xo", "xe.xoxp-1-", rnd(UPPER + DIGITS, 60))}`,
  },
  "stripe-secret-key": {
    hit: `stripe.key = "${p("sk", "_live_", rnd(ALNUM, 24))}"`,
    miss: `stripe.publishable = "${p("pk", "_live_", rnd(ALNUM, 24))}"`,
  },
  "twilio-api-key": {
    hit: `TWILIO_KEY=${p("S", "K", rnd(HEX, 32))}`,
    miss: `TWILIO_KEY=${p("S", "K", rnd(HEX, 31))}`,
  },
  "sendgrid-api-key": {
    hit: `SENDGRID=${p("S", "G.", rnd(URLSAFE, 22), ".", rnd(URLSAFE, 43))}`,
    miss: `SENDGRID=${p("S", "G.", rnd(URLSAFE, 22), ".", rnd(URLSAFE, 20))}`,
  },
  "anthropic-api-key": {
    hit: `ANTHROPIC_API_KEY=${p("sk-", "ant-api03-", rnd(URLSAFE, 93), "AA")}`,
    miss: `ANTHROPIC_API_KEY=${p("sk-", "ant-api03-", rnd(URLSAFE, 40))}`,
  },
  "openai-api-key": {
    hit: `OPENAI_API_KEY=${p("sk-", "proj-", rnd(ALNUM, 40), "T3Blbk", "FJ", rnd(ALNUM, 40))}`,
    miss: `OPENAI_API_KEY=${p("sk-", "proj-", rnd(ALNUM, 80))}`,
  },
  "openrouter-api-key": {
    hit: `OPENROUTER_API_KEY=${p("sk-", "or-v1-", rnd(HEX, 64))}`,
    miss: `OPENROUTER_API_KEY=${p("sk-", "or-v1-", rnd(HEX, 40))}`,
  },
  "notion-api-token": {
    hit: `NOTION_TOKEN=${p("nt", "n_", rnd(DIGITS, 11), rnd(ALNUM, 35))}`,
    miss: `NOTION_TOKEN=${p("nt", "n_", rnd(LOWER, 20))}`,
  },
  "npm-access-token": {
    hit: `//registry.npmjs.org/:_authToken=${p("np", "m_", rnd(ALNUM, 36))}`,
    miss: `//registry.npmjs.org/:_authToken=${p("np", "m_", rnd(ALNUM, 20))}`,
  },
  "npmrc-auth-token": {
    hit: `//npm.acme.io/:_authToken=${uuid()}`,
    miss: "//npm.acme.io/:_authToken=${NPM_TOKEN}",
  },
  "pypi-upload-token": {
    hit: `password = ${p("pypi-", "AgEIcHlwaS5vcmc", rnd(URLSAFE, 60))}`,
    miss: `password = ${p("pypi-", "AgEIcHlwaS5vcmc", rnd(URLSAFE, 20))}`,
  },
  "docker-hub-token": {
    hit: `DOCKER_TOKEN=${p("dckr", "_pat_", rnd(URLSAFE, 27))}`,
    miss: `DOCKER_TOKEN=${p("dckr", "_pat_", rnd(ALNUM, 15))}`,
  },
  "heroku-api-key": {
    hit: `HEROKU_API_KEY=${uuid()}`,
    miss: `REQUEST_ID=${uuid()}`,
  },
  "heroku-api-key-v2": {
    hit: `HEROKU=${p("HRKU", "-AA", rnd(URLSAFE, 58))}`,
    miss: `HEROKU=${p("HRKU", "-AA", rnd(ALNUM, 30))}`,
  },
  "shopify-token": {
    hit: `SHOPIFY=${p("shp", "at_", rnd(HEX, 32))}`,
    miss: `SHOPIFY=${p("shp", "at_", rnd("ghijklmnopqrstuvwxyz", 32))}`,
  },
  "discord-bot-token": {
    hit: `DISCORD_TOKEN=${p("M", rnd(URLSAFE, 23), ".", rnd(URLSAFE, 6), ".", rnd(URLSAFE, 27))}`,
    miss: `BOT=${p("M", rnd(URLSAFE, 23), ".", rnd(URLSAFE, 6), ".", rnd(URLSAFE, 27))}`,
  },
  "discord-webhook-url": {
    hit: `hook = "${
      p("https://discord", ".com/api/webhooks/", rnd(DIGITS, 18), "/", rnd(URLSAFE, 68))
    }"`,
    miss: `hook = "${p("https://discord", ".com/api/webhooks/", rnd(DIGITS, 18), "/short")}"`,
  },
  "telegram-bot-token": {
    hit: `TELEGRAM_BOT_TOKEN=${p(rnd(DIGITS, 10), ":A", "A", rnd(URLSAFE, 33))}`,
    miss: `TELEGRAM_BOT_TOKEN=${p(rnd(DIGITS, 10), ":B", "B", rnd(URLSAFE, 33))}`,
  },
  "mailgun-api-key": {
    hit: `MAILGUN_API_KEY=${p("ke", "y-", rnd(HEX, 32))}`,
    miss: `MAILGUN_API_KEY=${p("ke", "y-", rnd(HEX, 20))}`,
  },
  "datadog-api-key": {
    hit: `DD_API_KEY=${rnd(HEX, 32)}`,
    miss: `DD_API_KEY=${rnd("ghijklmnopqrstuvwxyz", 32)}`,
  },
  "huggingface-token": {
    hit: `HF_TOKEN=${p("h", "f_", rnd(UPPER + LOWER, 34))}`,
    miss: `HF_TOKEN=${p("h", "f_", rnd(UPPER + LOWER, 20))}`,
  },
  "private-key": {
    hit: `key = """${pem(p("RSA PRIV", "ATE KEY"))}"""`,
    miss: `key = """${pem("PUBLIC KEY")}"""`,
  },
  "jwt": {
    hit: `auth = "${
      p("ey", "J", rnd(URLSAFE, 30), ".ey", "J", rnd(URLSAFE, 40), ".", rnd(URLSAFE, 43))
    }"`,
    miss: `auth = "${p("ey", "J", rnd(URLSAFE, 30), ".", rnd(URLSAFE, 40))}"`,
  },
  "database-url-password": {
    hit: `DATABASE_URL=${p("postgres://app:", rnd(ALNUM, 16), "@db.internal:5432/app")}`,
    miss: "DATABASE_URL=postgres://app:${DB_PASSWORD}@db.internal:5432/app",
  },
  "jdbc-password": {
    hit: `url=jdbc:mysql://db.internal:3306/app?user=app&password=${rnd(ALNUM, 14)}&useSSL=true`,
    miss: "url=jdbc:mysql://db.internal:3306/app?user=app&password=${DB_PASSWORD}",
  },
  "generic-password": {
    hit: `  "password": "${rnd(ALNUM, 10)}#${rnd(DIGITS, 2)}!${rnd(ALNUM, 6)}",`,
    miss: `  "password": "%DB_PASSWORD%",`,
  },
  "generic-api-key": {
    hit: `api_key = "${rnd(ALNUM, 32)}"`,
    miss: `api_key = "your_api_key_here_placeholder"`,
  },
  ...PROVIDER_SAMPLES,
};
