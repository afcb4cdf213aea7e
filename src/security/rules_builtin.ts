/**
 * The built-in secret rules, written for BuildRunner in gitleaks' rule shape. Patterns are
 * RE2 syntax (also valid for ripgrep) and go through the same translator as user rules.
 * Data only: loading this module costs nothing but the array.
 */
import { PROVIDER_RULES } from "./_provider_rules.ts";
import type { SecretRuleSpec } from "./types.ts";

const PLACEHOLDER_STOPWORDS = [
  "example",
  "sample",
  "placeholder",
  "your_",
  "your-",
  "yourkey",
  "xxxx",
  "****",
  "changeme",
  "change_me",
  "dummy",
  "redacted",
  "notreal",
  "not_real",
  "fake",
  "todo",
  "fixme",
  "<",
  "${",
  "$(",
  "{{",
  "process.env",
  "environ",
  "getenv",
];

/**
 * Built-in rules (id order is report order for rules of the same file and line).
 *
 * Each rule runs in time linear in the text, adversarial texts included (bench/secrets.ts
 * --worst): no unbounded repeat is tried again from many starts inside one run. An open
 * repeat is written `X{n}X*`, not `X{n,}`, and a repeated group is bounded: V8 backtracks a
 * counted or grouped loop with a stack entry per repetition, which overflows on a run of
 * megabytes, but runs a plain star over one character class without one.
 */
export const BUILTIN_SECRET_RULES: readonly SecretRuleSpec[] = [
  {
    id: "aws-access-key-id",
    description: "AWS access key id",
    regex: "\\b((?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})\\b",
    keywords: ["a3t", "akia", "asia", "abia", "acca"],
    severity: "high",
  },
  {
    id: "aws-secret-access-key",
    description: "AWS secret access key assigned near an AWS name",
    regex:
      "(?i)aws.{0,20}(?:secret|key).{0,20}[=:]\\s*[\"']?([A-Za-z0-9/+=]{40})(?:[^A-Za-z0-9/+=]|$)",
    keywords: ["aws"],
    entropy: 3.5,
    severity: "high",
  },
  {
    id: "gcp-api-key",
    description: "Google Cloud API key",
    regex: "\\b(AIza[0-9A-Za-z_-]{35})(?:[^0-9A-Za-z_-]|$)",
    keywords: ["aiza"],
    severity: "high",
  },
  {
    id: "gcp-service-account-key",
    description: "Google Cloud service account private key id",
    regex: '"private_key_id"\\s*:\\s*"([0-9a-f]{40})"',
    keywords: ["private_key_id"],
    severity: "high",
  },
  {
    id: "azure-storage-account-key",
    description: "Azure storage account or shared access key in a connection string",
    regex: "(?i)(?:AccountKey=([A-Za-z0-9+/]{86}==)|SharedAccessKey=([A-Za-z0-9+/]{43}=))",
    keywords: ["accountkey=", "sharedaccesskey="],
    severity: "high",
  },
  {
    id: "azure-ad-client-secret",
    description: "Azure AD (Entra ID) client secret",
    regex:
      "(?:^|[^A-Za-z0-9~_.-])([A-Za-z0-9_~.]{3}\\dQ~[A-Za-z0-9_~.-]{31,34})(?:[^A-Za-z0-9~_.-]|$)",
    keywords: ["q~"],
    severity: "high",
  },
  {
    id: "github-token",
    description: "GitHub personal, OAuth, app or refresh token",
    regex: "\\b((?:ghp|gho|ghu|ghs|ghr)_[0-9A-Za-z]{36})\\b",
    keywords: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"],
    severity: "high",
  },
  {
    id: "github-fine-grained-pat",
    description: "GitHub fine-grained personal access token",
    regex: "\\b(github_pat_[0-9A-Za-z_]{82})\\b",
    keywords: ["github_pat_"],
    severity: "high",
  },
  {
    id: "gitlab-token",
    description:
      "GitLab personal, project, runner, deploy, feed, mail, agent, OAuth, job or trigger token",
    regex:
      "\\b((?:glpat|glrt|gldt|glft|glsoat|glffct)-[0-9A-Za-z_-]{20}[0-9A-Za-z_-]{0,280}(?:\\.[0-9a-z]{2}\\.[0-9a-z]{7,11})?|glptt-[0-9a-f]{40}|glimt-[0-9A-Za-z_-]{25}|glagent-[0-9A-Za-z_-]{50}|gloas-[0-9A-Za-z_-]{64}|glcbt-[0-9A-Za-z]{1,5}_[0-9A-Za-z_-]{20}|GR1348941[0-9A-Za-z_-]{20})(?:[^0-9A-Za-z_-]|$)",
    keywords: [
      "glpat-",
      "glrt-",
      "gldt-",
      "glft-",
      "glsoat-",
      "glffct-",
      "glptt-",
      "glimt-",
      "glagent-",
      "gloas-",
      "glcbt-",
      "gr1348941",
    ],
    severity: "high",
  },
  {
    id: "slack-token",
    description: "Slack bot, user, legacy or workspace token",
    regex:
      "\\b(xoxb-[0-9]{10,13}-[0-9]{10,13}-?[A-Za-z0-9-]{0,64}|xox[pe](?:-[0-9]{10,13}){3}-[A-Za-z0-9-]{28,34}|xoxb-[0-9]{8,14}-[A-Za-z0-9]{18,26}|xox[os]-[0-9]{1,20}-[0-9]{1,20}-[0-9]{1,20}-[A-Fa-f0-9]{1,80}|xox[ar]-(?:[0-9]-)?[0-9A-Za-z]{8,48})(?:[^0-9A-Za-z-]|$)",
    keywords: ["xoxa-", "xoxb-", "xoxe-", "xoxo-", "xoxp-", "xoxr-", "xoxs-"],
    severity: "high",
  },
  {
    id: "slack-app-token",
    description: "Slack app-level token",
    regex: "(?i)\\b(xapp-[0-9]-[A-Z0-9]{1,20}-[0-9]{1,20}-[a-z0-9]{16}[a-z0-9]{0,64})\\b",
    keywords: ["xapp-"],
    severity: "high",
  },
  {
    id: "slack-config-token",
    description: "Slack app configuration access or refresh token",
    regex: "(?i)\\b(xoxe\\.xox[bp]-[0-9]-[A-Z0-9]{163,166}|xoxe-[0-9]-[A-Z0-9]{146})\\b",
    keywords: ["xoxe.xoxb-", "xoxe.xoxp-", "xoxe-"],
    severity: "high",
  },
  {
    id: "slack-webhook-url",
    description: "Slack incoming webhook URL",
    regex:
      "((?:https?://)?hooks\\.slack\\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/]{43,100})(?:[^A-Za-z0-9+/]|$)",
    keywords: ["hooks.slack.com"],
    severity: "medium",
  },
  {
    id: "stripe-secret-key",
    description: "Stripe secret or restricted key, or webhook signing secret",
    regex: "\\b((?:sk|rk)_(?:live|test|prod)_[0-9A-Za-z]{10,247}|whsec_[0-9A-Za-z]{32,64})\\b",
    keywords: ["sk_live_", "sk_test_", "sk_prod_", "rk_live_", "rk_test_", "rk_prod_", "whsec_"],
    severity: "high",
  },
  {
    id: "twilio-api-key",
    description: "Twilio API key",
    regex: "\\b(SK[0-9a-fA-F]{32})\\b",
    keywords: ["sk"],
    entropy: 3,
    severity: "high",
  },
  {
    id: "sendgrid-api-key",
    description: "SendGrid API key",
    // 66 characters after "SG." (two parts of 22 and 43 joined by a dot, as issued)
    regex: "\\b(SG\\.[0-9A-Za-z_=.-]{66})(?:[^0-9A-Za-z_=.-]|$)",
    entropy: 3,
    keywords: ["sg."],
    severity: "high",
  },
  {
    id: "anthropic-api-key",
    description: "Anthropic API or admin key",
    regex: "\\b(sk-ant-(?:api03|admin01)-[0-9A-Za-z_-]{93}AA)(?:[^0-9A-Za-z_-]|$)",
    keywords: ["sk-ant-"],
    severity: "high",
  },
  {
    id: "openai-api-key",
    description: "OpenAI API key",
    regex:
      "\\b(sk-(?:(?:proj|svcacct|admin)-)?[A-Za-z0-9_-]{20,200}T3BlbkFJ[A-Za-z0-9_-]{20,200})(?:[^A-Za-z0-9_-]|$)",
    keywords: ["t3blbkfj"],
    severity: "high",
  },
  {
    id: "openrouter-api-key",
    description: "OpenRouter API key",
    regex: "\\b(sk-or-v1-[0-9a-f]{64})\\b",
    keywords: ["sk-or-v1-"],
    severity: "high",
  },
  {
    id: "notion-api-token",
    description: "Notion integration token",
    regex: "\\b(ntn_[0-9]{11}[A-Za-z0-9]{35}|secret_[A-Za-z0-9]{43})\\b",
    keywords: ["ntn_", "secret_"],
    entropy: 3.5,
    severity: "high",
  },
  {
    id: "npm-access-token",
    description: "npm access token",
    regex: "\\b(npm_[A-Za-z0-9]{36})\\b",
    keywords: ["npm_"],
    severity: "high",
  },
  {
    id: "npmrc-auth-token",
    description: "Registry credential in an .npmrc (_authToken, _auth, _password)",
    regex:
      "(?i)(?:^|[\\s:])_(?:authToken|auth|password)\\s{0,3}=\\s{0,3}[\"']?([A-Za-z0-9+/=._-]{20,300})",
    keywords: ["_authtoken", "_auth", "_password"],
    entropy: 3,
    severity: "high",
    // yields to npm-access-token on an npm_ token
    tags: ["generic"],
  },
  {
    id: "pypi-upload-token",
    description: "PyPI upload token",
    regex: "\\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50}[A-Za-z0-9_-]*)",
    keywords: ["pypi-ageichlwas5vcmc"],
    severity: "high",
  },
  {
    id: "docker-hub-token",
    description: "Docker Hub personal or organization access token",
    regex: "\\b(dckr_(?:pat|oat)_[A-Za-z0-9_-]{27})(?:[^A-Za-z0-9_-]|$)",
    keywords: ["dckr_pat_", "dckr_oat_"],
    severity: "high",
  },
  {
    id: "heroku-api-key",
    description: "Heroku API key (UUID near the word heroku)",
    regex: "(?i)heroku.{0,40}\\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\\b",
    keywords: ["heroku"],
    severity: "high",
  },
  {
    id: "heroku-api-key-v2",
    description: "Heroku API key (HRKU prefix)",
    regex: "\\b(HRKU-AA[0-9A-Za-z_-]{58})(?:[^0-9A-Za-z_-]|$)",
    keywords: ["hrku-aa"],
    severity: "high",
  },
  {
    id: "shopify-token",
    description: "Shopify access, custom app, private app or shared secret",
    regex: "\\b(shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32})\\b",
    keywords: ["shpat_", "shpca_", "shppa_", "shpss_"],
    severity: "high",
  },
  {
    id: "discord-bot-token",
    description: "Discord bot token near the word discord",
    regex:
      "(?i)discord.{0,40}\\b([MNO][A-Za-z0-9_-]{23,25}\\.[A-Za-z0-9_-]{6}\\.[A-Za-z0-9_-]{27,38})(?:[^A-Za-z0-9_-]|$)",
    keywords: ["discord"],
    severity: "high",
  },
  {
    id: "discord-webhook-url",
    description: "Discord webhook URL",
    regex:
      "(https://(?:ptb\\.|canary\\.)?discord(?:app)?\\.com/api/webhooks/[0-9]{17,20}/[A-Za-z0-9_-]{60,68})",
    keywords: ["discord"],
    severity: "medium",
  },
  {
    id: "telegram-bot-token",
    description: "Telegram bot token",
    // the bot id, ":", then 35 characters starting with "A" (near the word telegram: any)
    regex:
      "\\b([0-9]{8,10}:AA[0-9A-Za-z_-]{33})(?:[^0-9A-Za-z_-]|$)|(?i)telegr[\\w.-]{0,20}[\\s'\"\\x60]{0,3}(?:=|:|:=|=>|,)[\\x60'\"\\s=]{0,5}([0-9]{5,16}:A[a-z0-9_-]{34})(?:[^a-z0-9_-]|$)",
    keywords: [":aa", "telegr"],
    severity: "high",
  },
  {
    id: "mailgun-api-key",
    description: "Mailgun API key near the word mailgun",
    regex:
      "(?i)mailgun.{0,40}\\b((?:pub)?key-[0-9a-f]{32}|[0-9a-h]{32}-[0-9a-h]{8}-[0-9a-h]{8})\\b",
    keywords: ["mailgun"],
    severity: "high",
  },
  {
    id: "datadog-api-key",
    description: "Datadog API or application key",
    regex:
      "(?i)(?:datadog|\\bdd)[_-]?(?:api|app(?:lication)?)[_-]?key.{0,20}[=:]\\s*[\"']?([0-9a-f]{40}|[0-9a-f]{32})\\b|(?i)datadog[\\w.-]{0,20}[\\s'\"\\x60]{0,3}(?:=|:|:=|=>|,)[\\x60'\"\\s=]{0,5}([a-z0-9]{40})(?:[^a-z0-9]|$)",
    entropy: 3,
    keywords: ["datadog", "dd_api", "dd_app", "ddapi", "ddapp", "dd-api", "dd-app"],
    severity: "high",
  },
  {
    id: "huggingface-token",
    description: "Hugging Face access token",
    regex: "\\b((?:hf_|api_org_)[A-Za-z]{34})\\b",
    keywords: ["hf_", "api_org_"],
    severity: "high",
  },
  ...PROVIDER_RULES,
  {
    id: "private-key",
    description: "Private key block (PEM)",
    // The body (64 characters at least) never holds five dashes in a row, so the search from
    // a BEGIN line stops at the next armor line: one pass, even over megabytes of BEGIN lines
    // that no END follows (a body that may hold anything is searched to the end of the text
    // from every one of them). At most 64 runs of dashes (header lines such as DEK-Info).
    regex:
      "(-----BEGIN[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----(?:[^-]|-{1,4}[^-]){64}[^-]*(?:-{1,4}[^-]+){0,64}-----END[ A-Z0-9_-]{0,100}PRIVATE KEY(?: BLOCK)?-----)",
    keywords: ["private key"],
    severity: "critical",
  },
  {
    id: "jwt",
    description: "JSON Web Token",
    // Starts only where a run of base64url characters starts (not at each "-eyJ" inside one),
    // so each run is read a bounded number of times; the greedy last segment needs no
    // terminator, which leaves the character after a token free to start the next one.
    regex:
      "(?:^|[^A-Za-z0-9_-])(eyJ[A-Za-z0-9_-]{10}[A-Za-z0-9_-]*\\.eyJ[A-Za-z0-9_-]{10}[A-Za-z0-9_-]*\\.(?:[A-Za-z0-9_-]{10}[A-Za-z0-9_-]*)?)",
    keywords: ["eyj"],
    severity: "medium",
  },
  {
    id: "database-url-password",
    description: "Database URL with an embedded password",
    regex:
      "\\b((?:postgres(?:ql)?|mysql|mariadb|mongodb(?:\\+srv)?|rediss?|amqps?|mssql|sqlserver)://[^:/\\s\"'@]+:([^@/\\s\"']{3}[^@/\\s\"']*)@[^\\s\"']+)",
    secretGroup: 2,
    keywords: ["postgres", "mysql", "mariadb", "mongodb", "redis", "amqp", "mssql", "sqlserver"],
    severity: "high",
    allowlists: [{
      stopwords: [...PLACEHOLDER_STOPWORDS, "password", "passwd", "secret", "pass", "pwd"],
      regexes: ["^\\$[A-Za-z_{(]", "^%[sd]$", "^:[a-z_]+$"],
    }],
  },
  {
    id: "jdbc-password",
    description: "Password in a JDBC connection string",
    regex: "(?i)jdbc:[a-z0-9:]{2,30}//[^\\s\"'<>]{1,300}?[?&;]password=([^&;\\s\"'<>]{3,100})",
    keywords: ["jdbc:"],
    severity: "high",
    allowlists: [{
      stopwords: [...PLACEHOLDER_STOPWORDS],
      regexes: ["^\\$[A-Za-z_{(]", "^%[sd]$", "(?i)^(?:pass(?:word|wd)?|secret|pwd)$"],
    }],
  },
  {
    id: "generic-password",
    description: "Quoted password of symbols, letters and digits assigned to a password name",
    // the quoted form only: a password may hold any printable character but a quote or space
    regex:
      "(?i)(?:passw(?:or)?d|pwd|passphrase)[a-z0-9_.-]{0,20}[\"'\x60]?\\s{0,3}(?::=|=>|=|:)\\s{0,3}[\"'\x60]([^\\s\"'\x60]{8,64})[\"'\x60]",
    keywords: ["passw", "pwd", "passphrase"],
    entropy: 3,
    severity: "medium",
    tags: ["generic"],
    allowlists: [{
      stopwords: [...PLACEHOLDER_STOPWORDS, "password", "passwd", "secret"],
      regexes: ["^[A-Za-z_.-]+$", "^[a-z]+(?:[A-Z][a-z]+)+$", "^%[^%]+%$"],
    }],
  },
  {
    id: "generic-api-key",
    description: "High-entropy value assigned to a secret-looking name",
    regex:
      "(?i)(?:api[_.-]?key|apikey|secret|token|passw(?:or)?d|pwd|auth[_.-]?key|access[_.-]?key|credential|creds|(?:private|signing|encryption|master)[_.-]?key)s?[a-z0-9_.-]{0,20}[\"'\\x60]?\\s*(?::=|=>|=|:)\\s*[\"'\\x60]?([A-Za-z0-9+/_.~=-]{16,100})(?:[\"'\\x60\\s;,)]|$)",
    keywords: ["key", "secret", "token", "passw", "pwd", "credential", "creds"],
    entropy: 3.5,
    severity: "medium",
    tags: ["generic"],
    allowlists: [{
      stopwords: PLACEHOLDER_STOPWORDS,
      // identifiers and dotted names (no digit) are references, not secrets
      regexes: ["^[A-Za-z_.-]+$", "^[a-z]+(?:[A-Z][a-z]+)+$"],
    }],
  },
];
