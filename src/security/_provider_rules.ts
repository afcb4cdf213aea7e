/**
 * Built-in rules for token formats of many providers, each written from the provider's
 * documented format: a fixed prefix where the format has one (found anywhere), else the
 * provider's name assigned a value of the format's length and alphabet (`ACME_KEY = "…"`).
 * Data only, like `rules_builtin.ts`; every pattern is linear (bounded repeats, an open
 * repeat only as `X{n}X*` over one character class).
 */
import type { SecretRuleSpec } from "./types.ts";

const R = String.raw;
/** A UUID (lower case; rules using it are case-insensitive). */
const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
/** The end of a token: a character that cannot continue it, or the end of the text. */
const T = "(?:[^A-Za-z0-9_-]|$)";

/**
 * `names` (an alternation), up to 20 more name characters, an assignment (`=`, `:`, `:=`,
 * `=>`, `?=`, `||`, `,`), optional quotes, then the secret (group 1) and where it ends.
 * Case-insensitive, as gitleaks' generated provider rules are.
 */
export function assigned(names: string, secret: string): string {
  const regex =
    R`(?i)(?:${names})[\w.-]{0,20}[\s'"\x60]{0,3}(?:=|>|:{1,3}=|\|\||:|=>|\?=|,)[\x60'"\s=]{0,5}(${secret})(?:[\x60'"\s;,)<\]}]|\\[nrt]|$)`;
  ASSIGNED.add(regex);
  return regex;
}

/** Patterns made by {@link assigned} alone: their rules yield to prefixed tokens. */
const ASSIGNED = new Set<string>();

interface Extra {
  path?: string;
  entropy?: number;
  severity?: SecretRuleSpec["severity"];
  secretGroup?: number;
  allowlists?: SecretRuleSpec["allowlists"];
  tags?: string[];
}

/**
 * A rule. One that finds a value only by the name it is assigned to is tagged `generic`: it
 * runs after the rules of fixed token formats and yields to them on the same text (an
 * `ARTIFACTORY_TOKEN=AKCp…` is an artifactory-api-key, not also a jfrog-api-key).
 */
function rule(
  id: string,
  description: string,
  regex: string,
  keywords: string[],
  extra: Extra = {},
): SecretRuleSpec {
  const tags = ASSIGNED.has(regex) ? ["generic"] : undefined;
  return { id, description, regex, keywords, severity: "high", ...(tags && { tags }), ...extra };
}

/** Provider rules, after the rules of `rules_builtin.ts` that come first in report order. */
export const PROVIDER_RULES: readonly SecretRuleSpec[] = [
  rule(
    "1password-secret-key",
    "1Password account secret key",
    R`\b(A3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5})\b`,
    ["a3-"],
    { entropy: 3.8 },
  ),
  rule(
    "1password-service-account-token",
    "1Password service account token",
    R`\b(ops_eyJ[A-Za-z0-9+/]{250}[A-Za-z0-9+/]*={0,3})`,
    ["ops_eyj"],
  ),
  rule(
    "adafruit-api-key",
    "Adafruit IO key",
    assigned("adafruit", "[a-z0-9_-]{32}"),
    ["adafruit"],
    { entropy: 3.5 },
  ),
  rule(
    "adobe-client-secret",
    "Adobe client secret",
    R`\b(p8e-[A-Za-z0-9]{32})${T}`,
    ["p8e-"],
    { entropy: 3.5 },
  ),
  rule(
    "adobe-client-id",
    "Adobe client id",
    assigned("adobe", "[a-f0-9]{32}"),
    ["adobe"],
    { entropy: 3.2, severity: "medium" },
  ),
  rule(
    "age-secret-key",
    "age encryption secret key",
    R`\b(AGE-SECRET-KEY-1[QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L]{58})\b`,
    ["age-secret-key-1"],
    { severity: "critical" },
  ),
  rule(
    "airtable-api-key",
    "Airtable API key or personal access token",
    R`\b(pat[A-Za-z0-9]{14}\.[a-f0-9]{64})\b|${assigned("airtable", "[a-z0-9]{17}")}`,
    ["airtable"],
    { entropy: 3.5 },
  ),
  rule(
    "algolia-api-key",
    "Algolia API key",
    assigned("algolia", "[a-z0-9]{32}"),
    ["algolia"],
    { entropy: 3.5 },
  ),
  rule(
    "alibaba-access-key-id",
    "Alibaba Cloud AccessKey ID",
    R`\b(LTAI[A-Za-z0-9]{17,21})\b`,
    ["ltai"],
    { entropy: 3.5 },
  ),
  rule(
    "alibaba-secret-key",
    "Alibaba Cloud AccessKey secret",
    assigned("alibaba|aliyun", "[a-z0-9]{30}"),
    ["alibaba", "aliyun"],
    { entropy: 3.5 },
  ),
  rule(
    "artifactory-api-key",
    "JFrog Artifactory API key or reference token",
    R`\b(AKCp[A-Za-z0-9]{69}|cmVmd[A-Za-z0-9]{59})\b`,
    ["akcp", "cmvmd"],
    { entropy: 4 },
  ),
  rule(
    "jfrog-api-key",
    "JFrog API key or identity token",
    assigned("jfrog|artifactory|bintray|xray", "[a-z0-9]{73}|[a-z0-9]{64}"),
    ["jfrog", "artifactory", "bintray", "xray"],
    { entropy: 3.5 },
  ),
  rule(
    "asana-secret",
    "Asana client id or secret",
    assigned("asana", "[0-9]{16}|[a-z0-9]{32}"),
    ["asana"],
    { entropy: 3 },
  ),
  rule(
    "atlassian-api-token",
    "Atlassian (Jira, Confluence) API token",
    R`\b(ATATT3[A-Za-z0-9_=-]{186})(?:[^A-Za-z0-9_=-]|$)|${
      assigned("atlassian|confluence|jira", "[a-z0-9]{24}")
    }`,
    ["atatt3", "atlassian", "confluence", "jira"],
    { entropy: 3.5 },
  ),
  rule(
    "authress-service-client-access-key",
    "Authress service client access key",
    R`(?i)\b((?:sc|ext|scauth|authress)_[a-z0-9]{5,30}\.[a-z0-9]{4,6}\.acc[_-][a-z0-9-]{10,32}\.[a-z0-9+/_=-]{30,120})`,
    [".acc_", ".acc-"],
    { entropy: 2 },
  ),
  rule(
    "beamer-api-token",
    "Beamer API token",
    assigned("beamer", "b_[a-z0-9=_-]{44}"),
    ["beamer"],
  ),
  rule(
    "bitbucket-client-secret",
    "Bitbucket client id or secret",
    assigned("bitbucket", "[a-z0-9]{32}|[a-z0-9=_-]{64}"),
    ["bitbucket"],
    { entropy: 3.5 },
  ),
  rule(
    "bitbucket-access-token",
    "Bitbucket (Atlassian) app password or access token",
    R`\b(ATBB[A-Za-z0-9_=.-]{32})(?:[^A-Za-z0-9_=.-]|$)`,
    ["atbb"],
    { entropy: 3.5 },
  ),
  rule(
    "bittrex-key",
    "Bittrex access or secret key",
    assigned("bittrex", "[a-z0-9]{32}"),
    ["bittrex"],
    { entropy: 3.5 },
  ),
  rule(
    "cisco-meraki-api-key",
    "Cisco Meraki API key",
    assigned("meraki", "[0-9a-f]{40}"),
    ["meraki"],
    { entropy: 3 },
  ),
  rule(
    "clickhouse-cloud-api-secret-key",
    "ClickHouse Cloud API secret key",
    R`\b(4b1d[A-Za-z0-9]{38})\b`,
    ["4b1d"],
  ),
  rule(
    "clojars-api-token",
    "Clojars deploy token",
    R`(?i)\b(CLOJARS_[a-z0-9]{60})\b`,
    ["clojars_"],
    { entropy: 2 },
  ),
  rule(
    "cloudflare-api-key",
    "Cloudflare API token or global API key",
    assigned("cloudflare", "[a-z0-9_-]{40}|[a-f0-9]{37}"),
    ["cloudflare"],
    { entropy: 3.5 },
  ),
  rule(
    "cloudflare-origin-ca-key",
    "Cloudflare Origin CA key",
    R`\b(v1\.0-[a-f0-9]{24}-[a-f0-9]{146})\b`,
    ["v1.0-"],
  ),
  rule(
    "codecov-access-token",
    "Codecov access token",
    assigned("codecov", "[a-z0-9]{32}|" + UUID),
    ["codecov"],
    { entropy: 3.2 },
  ),
  rule(
    "cohere-api-token",
    "Cohere API key",
    assigned("cohere|co_api_key", "[a-z0-9]{40}"),
    ["cohere", "co_api_key"],
    { entropy: 4 },
  ),
  rule(
    "coinbase-access-token",
    "Coinbase access token",
    assigned("coinbase", "[a-z0-9_-]{64}"),
    ["coinbase"],
    { entropy: 3.5 },
  ),
  rule(
    "confluent-secret",
    "Confluent access token or secret key",
    assigned("confluent", "[a-z0-9]{64}|[a-z0-9]{16}"),
    ["confluent"],
    { entropy: 3 },
  ),
  rule(
    "contentful-delivery-api-token",
    "Contentful delivery API token",
    assigned("contentful", "[a-z0-9=_-]{43}"),
    ["contentful"],
    { entropy: 3.5 },
  ),
  rule(
    "curl-auth-header",
    "Credential in a curl Authorization or API-key header",
    R`(?i)\bcurl\b[^\n]{0,300}?(?:-H|--header)\s{0,5}['"]?(?:authorization|x-api-key|api-key|x-auth-token|private-token|x-access-token)\s{0,5}:\s{0,5}(?:(?:basic|bearer|token)\s{1,5})?([A-Za-z0-9+/_.=~:-]{12,500})(?:['"\s\\]|$)`,
    ["curl"],
    { entropy: 3 },
  ),
  rule(
    "curl-auth-user",
    "User and password given to curl -u / --user",
    R`(?i)\bcurl\b[^\n]{0,300}?(?:\s-u|--user)(?:\s{1,5}|=)['"]?([^\s'":$]{1,100}:[^\s'"$]{3,100})(?:['"\s]|$)`,
    ["curl"],
    { entropy: 2 },
  ),
  rule(
    "authorization-header",
    "Credential in an Authorization header",
    R`(?i)\bauthorization['"]?\s{0,3}[:=,]\s{0,3}['"]?(?:basic|bearer|token)\s{1,5}([A-Za-z0-9+/_.=~-]{16,500})(?:['"\s;,)\\]|$)`,
    ["authorization"],
    // yields to curl-auth-header on a curl command line
    { entropy: 3.3, tags: ["generic"] },
  ),
  rule(
    "basic-auth-url",
    "User and password in a URL",
    // from the "://" on (a literal start is cheap to search for); a database URL is found by
    // database-url-password first, which this generic rule yields to
    R`://[^\s:/@'"\x60<>]{1,100}:([^\s:@/'"\x60<>]{3,100})@[A-Za-z0-9.-]{1,253}`,
    ["://"],
    {
      secretGroup: 1,
      tags: ["generic"],
      allowlists: [{
        // the words themselves, not passwords that hold them ("compass99")
        regexes: [
          R`^\$[A-Za-z_{(]`,
          R`^%[sd]$`,
          R`^:[a-z_]+$`,
          R`^\*+$`,
          R`(?i)^(?:pass(?:word|wd)?|secret|pwd|token|user|test)$`,
        ],
      }],
    },
  ),
  rule(
    "databricks-api-token",
    "Databricks personal access token",
    R`\b(dapi[a-f0-9]{32}(?:-[0-9])?)\b`,
    ["dapi"],
    { entropy: 3 },
  ),
  rule(
    "defined-networking-api-token",
    "Defined Networking API token",
    R`(?i)\b(dnkey-[a-z0-9=_-]{26}-[a-z0-9=_-]{52})${T}`,
    ["dnkey-"],
  ),
  rule(
    "digitalocean-token",
    "DigitalOcean personal access, OAuth or refresh token",
    R`\b(do[opr]_v1_[a-f0-9]{64})\b`,
    ["dop_v1_", "doo_v1_", "dor_v1_"],
  ),
  rule(
    "discord-api-token",
    "Discord API key, client id or client secret",
    assigned("discord", "[a-f0-9]{64}|[0-9]{18}|[a-z0-9=_-]{32}"),
    ["discord"],
    { entropy: 3 },
  ),
  rule(
    "doppler-api-token",
    "Doppler token",
    R`\b(dp\.(?:pt|st|ct|sa|scim|audit)\.[A-Za-z0-9]{40,44})\b`,
    ["dp.pt.", "dp.st.", "dp.ct.", "dp.sa.", "dp.scim.", "dp.audit."],
    { entropy: 3.5 },
  ),
  rule(
    "droneci-access-token",
    "Drone CI access token",
    assigned("drone", "[a-z0-9]{32}"),
    ["drone"],
    { entropy: 3.5 },
  ),
  rule(
    "dropbox-api-token",
    "Dropbox API, short-lived or long-lived token",
    R`\b(sl\.[A-Za-z0-9_=-]{130}[A-Za-z0-9_=-]*)|${
      assigned("dropbox", "[a-z0-9]{11}AAAAAAAAAA[a-z0-9_=-]{43}|[a-z0-9]{15}")
    }`,
    ["dropbox", "sl."],
    { entropy: 3.5 },
  ),
  rule(
    "duffel-api-token",
    "Duffel API token",
    R`\b(duffel_(?:test|live)_[A-Za-z0-9_=-]{43})${T}`,
    ["duffel_"],
  ),
  rule(
    "dynatrace-api-token",
    "Dynatrace API token",
    R`\b(dt0c01\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{64})\b`,
    ["dt0c01."],
  ),
  rule(
    "easypost-api-token",
    "EasyPost production or test API key",
    R`\b(EZ[AT]K[A-Za-z0-9]{54})\b`,
    ["ezak", "eztk"],
  ),
  rule(
    "etsy-access-token",
    "Etsy access token",
    assigned("etsy", "[a-z0-9]{24}"),
    ["etsy"],
    { entropy: 3.5 },
  ),
  rule(
    "facebook-secret",
    "Facebook app secret or app access token",
    assigned(R`facebook|\bfb`, R`[a-f0-9]{32}|[0-9]{15,16}(?:\||%7C)[a-z0-9_-]{27,40}`),
    ["facebook", "fb"],
    { entropy: 3 },
  ),
  rule(
    "facebook-access-token",
    "Facebook user or page access token",
    R`\b(EAA[MC][A-Za-z0-9]{100}[A-Za-z0-9]*)`,
    ["eaam", "eaac"],
    { entropy: 4 },
  ),
  rule(
    "fastly-api-token",
    "Fastly API token",
    assigned("fastly", "[a-z0-9=_-]{32}"),
    ["fastly"],
    { entropy: 3.5 },
  ),
  rule(
    "finicity-secret",
    "Finicity API token or client secret",
    assigned("finicity", "[a-f0-9]{32}|[a-z0-9]{20}"),
    ["finicity"],
    { entropy: 3 },
  ),
  rule(
    "finnhub-access-token",
    "Finnhub access token",
    assigned("finnhub", "[a-z0-9]{20}"),
    ["finnhub"],
    { entropy: 3 },
  ),
  rule(
    "flickr-access-token",
    "Flickr access token",
    assigned("flickr", "[a-z0-9]{32}"),
    ["flickr"],
    { entropy: 3.5 },
  ),
  rule(
    "flutterwave-key",
    "Flutterwave public, secret or encryption key",
    R`\b(FLW(?:PUBK|SECK)_TEST-[a-hA-H0-9]{32}-X|FLWSECK_TEST-?[a-hA-H0-9]{12})${T}`,
    ["flwseck_test", "flwpubk_test"],
  ),
  rule(
    "flyio-access-token",
    "Fly.io access token",
    R`\b(fo1_[A-Za-z0-9_-]{43}|fm1[ar]_[A-Za-z0-9+/]{100}[A-Za-z0-9+/]*={0,3}|fm2_[A-Za-z0-9+/]{100}[A-Za-z0-9+/]*={0,3})`,
    ["fo1_", "fm1a_", "fm1r_", "fm2_"],
    { entropy: 4 },
  ),
  rule(
    "frameio-api-token",
    "Frame.io API token",
    R`\b(fio-u-[A-Za-z0-9_=-]{64})${T}`,
    ["fio-u-"],
  ),
  rule(
    "freemius-secret-key",
    "Freemius secret key",
    R`(?i)["']secret_key["']\s{0,5}=>\s{0,5}["'](sk_[^\s'"]{29})["']`,
    ["secret_key"],
  ),
  rule(
    "freshbooks-access-token",
    "FreshBooks access token",
    assigned("freshbooks", "[a-z0-9]{64}"),
    ["freshbooks"],
    { entropy: 3.5 },
  ),
  rule(
    "gcp-oauth-client-secret",
    "Google OAuth client secret",
    R`\b(GOCSPX-[A-Za-z0-9_-]{28})${T}`,
    ["gocspx-"],
  ),
  rule(
    "gitlab-session-cookie",
    "GitLab session cookie",
    R`_gitlab_session=([0-9a-z]{32})\b`,
    ["_gitlab_session="],
  ),
  rule(
    "gitter-access-token",
    "Gitter access token",
    assigned("gitter", "[a-z0-9_-]{40}"),
    ["gitter"],
    { entropy: 3.5 },
  ),
  rule(
    "gocardless-api-token",
    "GoCardless API token",
    assigned("gocardless", "live_[a-z0-9_=-]{40}"),
    ["gocardless"],
  ),
  rule(
    "grafana-api-key",
    "Grafana API key",
    R`\b(eyJrIjoi[A-Za-z0-9]{70}[A-Za-z0-9]*={0,3})`,
    ["eyjrijoi"],
    { entropy: 3 },
  ),
  rule(
    "grafana-cloud-api-token",
    "Grafana Cloud API token",
    R`\b(glc_[A-Za-z0-9+/]{32}[A-Za-z0-9+/]*={0,3})`,
    ["glc_"],
    { entropy: 3 },
  ),
  rule(
    "grafana-service-account-token",
    "Grafana service account token",
    R`\b(glsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8})\b`,
    ["glsa_"],
    { entropy: 3 },
  ),
  rule(
    "harness-api-key",
    "Harness personal or service account token",
    R`\b((?:pat|sat)\.[A-Za-z0-9_-]{22}\.[A-Za-z0-9]{24}\.[A-Za-z0-9]{20})\b`,
    ["pat.", "sat."],
  ),
  rule(
    "hashicorp-tf-api-token",
    "HashiCorp Terraform Cloud API token",
    R`(?i)\b([a-z0-9]{14}\.atlasv1\.[a-z0-9_=-]{60,70})(?:[^a-z0-9_=-]|$)`,
    ["atlasv1"],
    { entropy: 3.5 },
  ),
  rule(
    "hashicorp-vault-token",
    "HashiCorp Vault service, batch or recovery token",
    R`\b(hv[sbr]\.[A-Za-z0-9_-]{24}[A-Za-z0-9_-]*)|${assigned("vault", R`s\.[a-z0-9]{24}`)}`,
    ["hvs.", "hvb.", "hvr.", "vault"],
    { entropy: 3.5 },
  ),
  rule(
    "hubspot-api-key",
    "HubSpot API key or private app token",
    R`(?i)\b(pat-(?:na|eu|ap)[0-9]-${UUID})\b|${assigned("hubspot", UUID)}`,
    ["pat-na", "pat-eu", "pat-ap", "hubspot"],
  ),
  rule(
    "infracost-api-token",
    "Infracost API token",
    R`\b(ico-[A-Za-z0-9]{32})\b`,
    ["ico-"],
    { entropy: 3 },
  ),
  rule(
    "intercom-api-key",
    "Intercom API key",
    assigned("intercom", "[a-z0-9=_-]{60}"),
    ["intercom"],
    { entropy: 3.5 },
  ),
  rule(
    "intra42-client-secret",
    "Intra42 client secret",
    R`\b(s-s4t2(?:ud|af)-[a-f0-9]{64})\b`,
    ["s-s4t2ud-", "s-s4t2af-"],
  ),
  rule(
    "kraken-access-token",
    "Kraken access token",
    assigned("kraken", "[a-z0-9/=_+-]{80,90}"),
    ["kraken"],
    { entropy: 3.5 },
  ),
  rule(
    "kucoin-secret",
    "KuCoin access token or secret key",
    assigned("kucoin", "[a-f0-9]{24}|" + UUID),
    ["kucoin"],
    { entropy: 3 },
  ),
  rule(
    "launchdarkly-access-token",
    "LaunchDarkly access token",
    assigned("launchdarkly", "[a-z0-9=_-]{40}|(?:api|sdk|mob)-" + UUID),
    ["launchdarkly"],
    { entropy: 3 },
  ),
  rule(
    "linear-api-key",
    "Linear API key or OAuth token",
    R`\b(lin_api_[A-Za-z0-9]{40}|lin_oauth_[a-f0-9]{64})\b`,
    ["lin_api_", "lin_oauth_"],
    { entropy: 3.5 },
  ),
  rule(
    "linear-client-secret",
    "Linear client secret",
    assigned("linear", "[a-f0-9]{32}"),
    ["linear"],
    { entropy: 3.2 },
  ),
  rule(
    "linkedin-client-secret",
    "LinkedIn client id or secret",
    assigned("linkedin|linked[_-]in", "[a-z0-9]{14,16}"),
    ["linkedin", "linked_in", "linked-in"],
    { entropy: 3 },
  ),
  rule(
    "lob-api-key",
    "Lob API key",
    assigned(R`\blob`, "(?:live|test)_[a-f0-9]{35}|(?:live|test)_pub_[a-f0-9]{31}"),
    ["lob"],
  ),
  rule(
    "looker-client-secret",
    "Looker client id or secret",
    assigned("looker", "[a-z0-9]{20}|[a-z0-9]{24}"),
    ["looker"],
    { entropy: 3.5 },
  ),
  rule(
    "mailchimp-api-key",
    "Mailchimp API key",
    R`(?i)\b([a-f0-9]{32}-us[0-9]{1,2})\b`,
    ["-us"],
    { entropy: 3 },
  ),
  rule(
    "mapbox-api-token",
    "Mapbox access token",
    R`\b([sp]k\.eyJ[A-Za-z0-9_-]{20}[A-Za-z0-9_-]*\.[A-Za-z0-9_-]{20,30})${T}|${
      assigned("mapbox", R`pk\.[a-z0-9]{60}\.[a-z0-9]{22}`)
    }`,
    ["pk.eyj", "sk.eyj", "mapbox"],
  ),
  rule(
    "mattermost-access-token",
    "Mattermost access token",
    assigned("mattermost", "[a-z0-9]{26}"),
    ["mattermost"],
    { entropy: 3.5 },
  ),
  rule(
    "maxmind-license-key",
    "MaxMind license key",
    R`\b([A-Za-z0-9]{6}_[A-Za-z0-9]{29}_mmk)\b`,
    ["_mmk"],
    { entropy: 4 },
  ),
  rule(
    "messagebird-api-token",
    "MessageBird API token or client id",
    assigned("message[_-]?bird", "[a-z0-9]{25}|" + UUID),
    ["messagebird", "message_bird", "message-bird"],
    { entropy: 3.5 },
  ),
  rule(
    "microsoft-teams-webhook",
    "Microsoft Teams incoming webhook URL",
    R`(?i)(https://[a-z0-9-]{1,60}\.webhook\.office\.com/webhookb2/${UUID}@${UUID}/IncomingWebhook/[a-z0-9]{32}/${UUID})`,
    ["webhook.office.com"],
    { severity: "medium" },
  ),
  rule(
    "netlify-access-token",
    "Netlify access token",
    R`\b(nfp_[A-Za-z0-9]{36})\b|${assigned("netlify", "[a-z0-9=_-]{40,46}")}`,
    ["nfp_", "netlify"],
    { entropy: 3.5 },
  ),
  rule(
    "new-relic-api-key",
    "New Relic user, browser, insert or REST API key",
    R`\b(NRAK-[A-Za-z0-9]{27}|NRJS-[a-f0-9]{19}|NRII-[A-Za-z0-9_-]{32}|NRRA-[a-f0-9]{42})${T}`,
    ["nrak-", "nrjs-", "nrii-", "nrra-"],
  ),
  rule(
    "new-relic-user-api-id",
    "New Relic user API id",
    assigned("new[_-]?relic", "[a-z0-9]{64}"),
    ["newrelic", "new_relic", "new-relic"],
    { entropy: 3.5 },
  ),
  rule(
    "hashicorp-tf-password",
    "Password in a Terraform or HCL file",
    assigned("administrator_login_password|password", "[a-z0-9=_-]{8,20}"),
    ["password"],
    { path: R`(?i)\.(?:tf|hcl)$`, entropy: 2.5, severity: "medium" },
  ),
  rule(
    "jwt-base64",
    "Base64-encoded JSON Web Token",
    R`\b(ZXlK[A-Za-z0-9+/]{60}[A-Za-z0-9+/]*={0,2})`,
    ["zxlk"],
    { entropy: 4, severity: "medium" },
  ),
  rule(
    "nuget-config-password",
    "Password in a NuGet config",
    R`(?i)<add\s{1,5}key=["'](?:ClearTextPassword|Password)["']\s{1,5}value=["']([^"']{8,100})["']`,
    ["cleartextpassword", 'key="password"', "key='password'"],
    { entropy: 1, allowlists: [{ regexes: [R`^%[^%]+%$`, R`^\$`] }] },
  ),
  rule(
    "nytimes-access-token",
    "New York Times access token",
    assigned("nytimes|new[_-]?york[_-]?times", "[a-z0-9=_-]{32}"),
    ["nytimes", "new-york-times", "new_york_times", "newyorktimes"],
    { entropy: 3.5 },
  ),
  rule(
    "octopus-deploy-api-key",
    "Octopus Deploy API key",
    R`\b(API-[A-Z0-9]{26})\b`,
    ["api-"],
    { entropy: 3 },
  ),
  rule(
    "okta-access-token",
    "Okta access token",
    assigned("okta", "00[a-z0-9=_-]{40}"),
    ["okta"],
    { entropy: 4 },
  ),
  rule(
    "openshift-user-token",
    "OpenShift user token",
    R`\b(sha256~[A-Za-z0-9_-]{43})${T}`,
    ["sha256~"],
    { entropy: 3.5 },
  ),
  rule(
    "perplexity-api-key",
    "Perplexity API key",
    R`\b(pplx-[A-Za-z0-9]{48})\b`,
    ["pplx-"],
    { entropy: 4 },
  ),
  rule(
    "plaid-api-token",
    "Plaid access token",
    R`(?i)\b(access-(?:sandbox|development|production)-${UUID})\b`,
    ["access-sandbox-", "access-development-", "access-production-"],
  ),
  rule(
    "plaid-secret",
    "Plaid client id or secret",
    assigned("plaid", "[a-z0-9]{30}|[a-z0-9]{24}"),
    ["plaid"],
    { entropy: 3.5 },
  ),
  rule(
    "planetscale-token",
    "PlanetScale password, API or OAuth token",
    R`\b(pscale_(?:pw|tkn|oauth)_[A-Za-z0-9=_.-]{32,64})(?:[^A-Za-z0-9=_.-]|$)`,
    ["pscale_pw_", "pscale_tkn_", "pscale_oauth_"],
    { entropy: 3 },
  ),
  rule(
    "postman-api-token",
    "Postman API key",
    R`\b(PMAK-[a-fA-F0-9]{24}-[a-fA-F0-9]{34})\b`,
    ["pmak-"],
    { entropy: 3 },
  ),
  rule(
    "prefect-api-token",
    "Prefect API key",
    R`\b(pnu_[A-Za-z0-9]{36})\b`,
    ["pnu_"],
    { entropy: 2 },
  ),
  rule(
    "privateai-api-token",
    "Private AI API key",
    assigned("private[_-]?ai", "[a-z0-9]{32}"),
    ["privateai", "private_ai", "private-ai"],
    { entropy: 3 },
  ),
  rule(
    "pulumi-api-token",
    "Pulumi access token",
    R`\b(pul-[a-f0-9]{40})\b`,
    ["pul-"],
    { entropy: 2 },
  ),
  rule(
    "rapidapi-access-token",
    "RapidAPI key",
    assigned("rapidapi", "[a-z0-9_-]{50}"),
    ["rapidapi"],
    { entropy: 3.5 },
  ),
  rule(
    "readme-api-token",
    "ReadMe API key",
    R`\b(rdme_[a-z0-9]{70})\b`,
    ["rdme_"],
    { entropy: 2 },
  ),
  rule(
    "rubygems-api-token",
    "RubyGems API key",
    R`\b(rubygems_[a-f0-9]{48})\b`,
    ["rubygems_"],
    { entropy: 2.5 },
  ),
  rule(
    "scalingo-api-token",
    "Scalingo API token",
    R`\b(tk-us-[A-Za-z0-9_-]{48})${T}`,
    ["tk-us-"],
    { entropy: 2 },
  ),
  rule(
    "sendbird-access-token",
    "Sendbird access token or id",
    assigned("sendbird", "[a-f0-9]{40}|" + UUID),
    ["sendbird"],
    { entropy: 3 },
  ),
  rule(
    "sendinblue-api-token",
    "Brevo (Sendinblue) API or SMTP key",
    R`\b(x(?:keysib|smtpsib)-[a-f0-9]{64}-[A-Za-z0-9]{16})\b`,
    ["xkeysib-", "xsmtpsib-"],
    { entropy: 2 },
  ),
  rule(
    "sentry-token",
    "Sentry organization or user auth token",
    R`\b(sntrys_eyJ[A-Za-z0-9+/=]{50}[A-Za-z0-9+/=]*_[A-Za-z0-9+/]{43}|sntryu_[a-f0-9]{64})\b`,
    ["sntrys_", "sntryu_"],
    { entropy: 3.5 },
  ),
  rule(
    "sentry-access-token",
    "Sentry access token",
    assigned("sentry", "[a-f0-9]{64}"),
    ["sentry"],
    { entropy: 3 },
  ),
  rule(
    "settlemint-access-token",
    "SettleMint personal, application or service access token",
    R`\b(sm_(?:pat|aat|sat)_[A-Za-z0-9]{16})\b`,
    ["sm_pat_", "sm_aat_", "sm_sat_"],
    { entropy: 3 },
  ),
  rule(
    "shippo-api-token",
    "Shippo API token",
    R`\b(shippo_(?:live|test)_[a-fA-F0-9]{40})\b`,
    ["shippo_"],
    { entropy: 2 },
  ),
  rule(
    "sidekiq-secret",
    "Sidekiq Pro/Enterprise gem server credentials",
    assigned(
      "BUNDLE_ENTERPRISE__CONTRIBSYS__COM|BUNDLE_GEMS__CONTRIBSYS__COM",
      "[a-f0-9]{8}:[a-f0-9]{8}",
    ),
    ["bundle_enterprise__contribsys__com", "bundle_gems__contribsys__com"],
  ),
  rule(
    "sidekiq-sensitive-url",
    "Sidekiq Pro/Enterprise gem server URL with credentials",
    R`(?i)\bhttps?://([a-f0-9]{8}:[a-f0-9]{8})@(?:gems|enterprise)\.contribsys\.com`,
    ["gems.contribsys.com", "enterprise.contribsys.com"],
  ),
  rule(
    "snyk-api-token",
    "Snyk API token",
    assigned("snyk", UUID),
    ["snyk"],
  ),
  rule(
    "sonar-api-token",
    "SonarQube or SonarCloud token",
    R`\b((?:squ|sqp|sqa)_[a-f0-9]{40})\b|${assigned("sonar", "[a-z0-9=_-]{40}")}`,
    ["squ_", "sqp_", "sqa_", "sonar"],
    { entropy: 3 },
  ),
  rule(
    "sourcegraph-access-token",
    "Sourcegraph access token",
    R`\b(sgph?_(?:[a-f0-9]{16}_|local_)?[a-f0-9]{40})\b|${assigned("sourcegraph", "[a-f0-9]{40}")}`,
    ["sgp_", "sgph_", "sourcegraph"],
    { entropy: 3 },
  ),
  rule(
    "square-access-token",
    "Square access token or application secret",
    R`\b((?:sq0atp-|EAAA)[A-Za-z0-9_-]{22,60}|sq0csp-[A-Za-z0-9_-]{43})${T}`,
    ["sq0atp-", "sq0csp-", "eaaa"],
    { entropy: 3.5 },
  ),
  rule(
    "squarespace-access-token",
    "Squarespace access token",
    assigned("squarespace", UUID),
    ["squarespace"],
  ),
  rule(
    "sumologic-access-key",
    "Sumo Logic access id or access key",
    assigned("sumo", "su[a-z0-9]{12}|[a-z0-9]{64}"),
    ["sumo"],
    { entropy: 3 },
  ),
  rule(
    "tailscale-key",
    "Tailscale auth, API, OAuth client, webhook or SCIM key",
    R`\b(tskey-(?:(?:api|auth|client|webhook|scim)-)?[A-Za-z0-9]{8,20}-[A-Za-z0-9]{20,50})${T}`,
    ["tskey-"],
    { entropy: 3 },
  ),
  rule(
    "travisci-access-token",
    "Travis CI access token",
    assigned("travis", "[a-z0-9]{22}"),
    ["travis"],
    { entropy: 3.5 },
  ),
  rule(
    "twilio-auth-token",
    "Twilio auth token",
    assigned("twilio", "[a-f0-9]{32}"),
    ["twilio"],
    { entropy: 3.2 },
  ),
  rule(
    "twitch-api-token",
    "Twitch API token",
    assigned("twitch", "[a-z0-9]{30}"),
    ["twitch"],
    { entropy: 3.5 },
  ),
  rule(
    "twitter-secret",
    "Twitter (X) API key or secret, access token or secret",
    assigned("twitter", "[0-9]{15,25}-[a-z0-9]{20,40}|[a-z0-9]{50}|[a-z0-9]{45}|[a-z0-9]{25}"),
    ["twitter"],
    { entropy: 3.5 },
  ),
  rule(
    "twitter-bearer-token",
    "Twitter (X) bearer token",
    R`\b(A{22}[A-Za-z0-9%]{80,100})${T}`,
    ["aaaaaaaaaaaaaaaaaaaaaa"],
  ),
  rule(
    "typeform-api-token",
    "Typeform personal access token",
    R`\b(tfp_[A-Za-z0-9_.=-]{59})(?:[^A-Za-z0-9_.=-]|$)`,
    ["tfp_"],
    { entropy: 3 },
  ),
  rule(
    "yandex-key",
    "Yandex Cloud IAM token, API key or access key",
    assigned(
      "yandex",
      R`t1\.[a-z0-9_-]{10,300}={0,2}\.[a-z0-9_-]{86}={0,2}|AQVN[a-z0-9_-]{35,38}|YC[a-z0-9_-]{38}`,
    ),
    ["yandex"],
    { entropy: 3.5 },
  ),
  rule(
    "zendesk-secret-key",
    "Zendesk API token",
    assigned("zendesk", "[a-z0-9]{40}"),
    ["zendesk"],
    { entropy: 3.5 },
  ),
  rule(
    "azure-devops-pat",
    "Azure DevOps personal access token",
    assigned("azure|devops|vsts", "[a-z0-9]{76}AZDO[a-z0-9]{4}|[a-z2-7]{52}"),
    ["azure", "devops", "vsts"],
    { entropy: 3.5 },
  ),
  rule(
    "azure-sas-token",
    "Azure shared access signature in a URL or connection string",
    R`(?i)[?&;]sig=([A-Za-z0-9%+/]{40,100}(?:%3D|=){0,2})`,
    ["sig="],
    { entropy: 3.5 },
  ),
  rule(
    "putty-private-key",
    "PuTTY private key file (its private lines)",
    // from the literal "Private-Lines:" on, in a file holding a PuTTY header: no search of
    // the lines between the header and them from every header
    R`Private-Lines: [0-9]{1,4}\r?\n([A-Za-z0-9+/=]{64}[A-Za-z0-9+/=\r\n]*)`,
    ["putty-user-key-file-"],
    { severity: "critical" },
  ),
  rule(
    "kubernetes-secret-yaml",
    "Kubernetes Secret manifest with data",
    // `kind: Secret` then, within 20 lines, the data; or the data first (a manifest's keys
    // come in any order)
    R`(?i)\bkind:\s{0,5}["']?secret["']?\s{0,5}\n(?:[^\n]{0,200}\n){0,20}?\s{0,10}(?:data|stringData):\s{0,5}\n\s{1,10}[\w.-]{1,100}:\s{0,5}["']?([A-Za-z0-9+/=_.-]{8,500})|\b(?:data|stringData):\s{0,5}\n\s{1,10}[\w.-]{1,100}:\s{0,5}["']?([A-Za-z0-9+/=_.-]{8,500})["']?\s{0,5}\n(?:[^\n]{0,200}\n){0,20}?\s{0,10}kind:\s{0,5}["']?secret\b`,
    ["kind:"],
    { entropy: 2.5 },
  ),
];
