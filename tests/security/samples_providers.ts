/**
 * Samples of the provider rules (`src/security/_provider_rules.ts`), built at run time like
 * those of `samples.ts`: no literal token sits in the repository. `hit` must be reported by
 * its rule, `miss` (a look-alike: too short, wrong alphabet, wrong prefix or no provider name)
 * must not.
 */
import type { Sample } from "./samples.ts";

let seed = 4242;
/** Deterministic pseudo-random string (its own seed: `samples.ts` imports this module). */
function rnd(alphabet: string, n: number): string {
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
const ALNUM = UPPER + LOWER + DIGITS;
const LALNUM = LOWER + DIGITS;
const UALNUM = UPPER + DIGITS;
const HEX = "0123456789abcdef";
const B64 = ALNUM + "+/";
const URLSAFE = ALNUM + "_-";
const p = (...parts: string[]) => parts.join("");
const uuid = () => `${rnd(HEX, 8)}-${rnd(HEX, 4)}-${rnd(HEX, 4)}-${rnd(HEX, 4)}-${rnd(HEX, 12)}`;

/** `NAME = "secret"` as the hit, the same name with `short` as the miss. */
const asg = (name: string, secret: string, short: string): Sample => ({
  hit: `${name} = "${secret}"`,
  miss: `${name} = "${short}"`,
});
/** A prefixed token in an env line: the hit, and `miss` for the near miss. */
const env = (name: string, token: string, miss: string): Sample => ({
  hit: `${name}=${token}`,
  miss: `${name}=${miss}`,
});

/** Samples per provider rule id. */
export const PROVIDER_SAMPLES: Record<string, Sample> = {
  "1password-secret-key": env(
    "OP_SECRET_KEY",
    p(
      "A3",
      "-",
      rnd(UALNUM, 6),
      "-",
      rnd(UALNUM, 11),
      "-",
      rnd(UALNUM, 5),
      "-",
      rnd(UALNUM, 5),
      "-",
      rnd(UALNUM, 5),
    ),
    p("A3", "-", rnd(UALNUM, 6), "-", rnd(UALNUM, 11), "-", rnd(UALNUM, 5)),
  ),
  "1password-service-account-token": env(
    "OP_SERVICE_ACCOUNT_TOKEN",
    p("ops", "_eyJ", rnd(B64, 300)),
    p("ops", "_eyJ", rnd(B64, 100)),
  ),
  "adafruit-api-key": asg("ADAFRUIT_IO_KEY", rnd(LALNUM, 32), rnd(LALNUM, 20)),
  "adobe-client-secret": env(
    "ADOBE_SECRET",
    p("p8", "e-", rnd(ALNUM, 32)),
    p("p8", "e-", rnd(ALNUM, 20)),
  ),
  "adobe-client-id": asg("adobe_client_id", rnd(HEX, 32), rnd(HEX, 31)),
  "age-secret-key": env(
    "AGE_KEY",
    p("AGE-SECRET", "-KEY-1", rnd("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58)),
    p("AGE-SECRET", "-KEY-1", rnd("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 40)),
  ),
  "airtable-api-key": asg("AIRTABLE_API_KEY", rnd(LALNUM, 17), rnd(LALNUM, 12)),
  "algolia-api-key": asg("algolia_admin_key", rnd(LALNUM, 32), rnd(LALNUM, 24)),
  "alibaba-access-key-id": env(
    "ALIYUN_AK",
    p("LT", "AI", rnd(ALNUM, 20)),
    p("LT", "AI", rnd(ALNUM, 10)),
  ),
  "alibaba-secret-key": asg("alibaba_secret", rnd(LALNUM, 30), rnd(LALNUM, 20)),
  "artifactory-api-key": env(
    "ARTIFACTORY_TOKEN",
    p("AK", "Cp", rnd(ALNUM, 69)),
    p("AK", "Cp", rnd(ALNUM, 30)),
  ),
  "jfrog-api-key": asg("JFROG_API_KEY", rnd(LALNUM, 73), rnd(LALNUM, 40)),
  "asana-secret": asg("ASANA_CLIENT_SECRET", rnd(LALNUM, 32), rnd(LALNUM, 25)),
  "atlassian-api-token": env(
    "JIRA_API_TOKEN",
    p("ATA", "TT3", rnd(URLSAFE, 186)),
    p("ATA", "TT3", rnd(URLSAFE, 60)),
  ),
  "authress-service-client-access-key": env(
    "AUTHRESS_KEY",
    p(
      "sc",
      "_",
      rnd(LALNUM, 12),
      ".",
      rnd(LALNUM, 5),
      ".acc",
      "_",
      rnd(LALNUM, 20),
      ".",
      rnd(URLSAFE, 60),
    ),
    p("sc", "_", rnd(LALNUM, 12), ".", rnd(LALNUM, 5), ".acc", "_", rnd(LALNUM, 4)),
  ),
  "beamer-api-token": asg(
    "BEAMER_API_KEY",
    p("b", "_", rnd(URLSAFE, 44)),
    p("b", "_", rnd(URLSAFE, 20)),
  ),
  "bitbucket-client-secret": asg("bitbucket_client_secret", rnd(LALNUM, 32), rnd(LALNUM, 20)),
  "bitbucket-access-token": env(
    "BB_APP_PASSWORD",
    p("AT", "BB", rnd(ALNUM, 32)),
    p("AT", "BB", rnd(ALNUM, 12)),
  ),
  "bittrex-key": asg("bittrex_api_key", rnd(LALNUM, 32), rnd(LALNUM, 16)),
  "cisco-meraki-api-key": asg("MERAKI_DASHBOARD_API_KEY", rnd(HEX, 40), rnd(HEX, 30)),
  "clickhouse-cloud-api-secret-key": env(
    "CH_KEY",
    p("4b", "1d", rnd(ALNUM, 38)),
    p("4b", "1d", rnd(ALNUM, 20)),
  ),
  "clojars-api-token": env(
    "CLOJARS_TOKEN",
    p("CLOJARS", "_", rnd(LALNUM, 60)),
    p("CLOJARS", "_", rnd(LALNUM, 30)),
  ),
  "cloudflare-api-key": asg("CLOUDFLARE_API_TOKEN", rnd(URLSAFE, 40), rnd(URLSAFE, 20)),
  "cloudflare-origin-ca-key": env(
    "CF_ORIGIN_CA_KEY",
    p("v1", ".0-", rnd(HEX, 24), "-", rnd(HEX, 146)),
    p("v1", ".0-", rnd(HEX, 24), "-", rnd(HEX, 40)),
  ),
  "codecov-access-token": asg("CODECOV_TOKEN", rnd(LALNUM, 32), rnd(LALNUM, 20)),
  "cohere-api-token": asg("COHERE_API_KEY", rnd(ALNUM, 40), rnd(ALNUM, 30)),
  "coinbase-access-token": asg("coinbase_access_token", rnd(URLSAFE, 64), rnd(URLSAFE, 40)),
  "confluent-secret": asg("CONFLUENT_SECRET_KEY", rnd(LALNUM, 64), rnd(LALNUM, 40)),
  "contentful-delivery-api-token": asg(
    "CONTENTFUL_DELIVERY_TOKEN",
    rnd(URLSAFE, 43),
    rnd(URLSAFE, 30),
  ),
  "curl-auth-header": {
    hit: `curl -s https://api.acme.io/v1 -H "Authorization: Bearer ${rnd(ALNUM, 40)}"`,
    miss: `curl -s https://api.acme.io/v1 -H "Authorization: Bearer $API_TOKEN"`,
  },
  "curl-auth-user": {
    hit: `curl -u deploy:${rnd(ALNUM, 18)} https://ci.acme.io/api`,
    miss: `curl -u "deploy:$DEPLOY_PASSWORD" https://ci.acme.io/api`,
  },
  "authorization-header": {
    hit: `headers = { Authorization: "Basic ${rnd(B64, 32)}" }`,
    miss: `headers = { Authorization: "Bearer <your token>" }`,
  },
  "basic-auth-url": {
    hit: `REGISTRY=https://deploy:${rnd(ALNUM, 16)}@registry.acme.io/v2`,
    miss: "REGISTRY=https://deploy:${REGISTRY_PASSWORD}@registry.acme.io/v2",
  },
  "databricks-api-token": env(
    "DATABRICKS_TOKEN",
    p("da", "pi", rnd(HEX, 32)),
    p("da", "pi", rnd(HEX, 20)),
  ),
  "defined-networking-api-token": env(
    "DN_API_KEY",
    p("dn", "key-", rnd(LALNUM, 26), "-", rnd(LALNUM, 52)),
    p("dn", "key-", rnd(LALNUM, 26)),
  ),
  "digitalocean-token": env(
    "DO_TOKEN",
    p("do", "p_v1_", rnd(HEX, 64)),
    p("do", "p_v1_", rnd(HEX, 40)),
  ),
  "discord-api-token": asg("DISCORD_CLIENT_SECRET", rnd(URLSAFE, 32), rnd(URLSAFE, 20)),
  "doppler-api-token": env(
    "DOPPLER_TOKEN",
    p("dp", ".pt.", rnd(ALNUM, 43)),
    p("dp", ".pt.", rnd(ALNUM, 20)),
  ),
  "droneci-access-token": asg("DRONE_TOKEN", rnd(ALNUM, 32), rnd(ALNUM, 20)),
  "dropbox-api-token": env(
    "DROPBOX_TOKEN",
    p("sl", ".", rnd(URLSAFE, 138)),
    p("sl", ".", rnd(URLSAFE, 60)),
  ),
  "duffel-api-token": env(
    "DUFFEL_TOKEN",
    p("duffel", "_test_", rnd(URLSAFE, 43)),
    p("duffel", "_test_", rnd(URLSAFE, 20)),
  ),
  "dynatrace-api-token": env(
    "DT_API_TOKEN",
    p("dt0", "c01.", rnd(UALNUM, 24), ".", rnd(ALNUM, 64)),
    p("dt0", "c01.", rnd(UALNUM, 24), ".", rnd(ALNUM, 30)),
  ),
  "easypost-api-token": env(
    "EASYPOST_API_KEY",
    p("EZ", "AK", rnd(ALNUM, 54)),
    p("EZ", "AK", rnd(ALNUM, 30)),
  ),
  "etsy-access-token": asg("ETSY_API_KEY", rnd(LALNUM, 24), rnd(LALNUM, 16)),
  "facebook-secret": asg("FACEBOOK_APP_SECRET", rnd(HEX, 32), rnd(HEX, 24)),
  "facebook-access-token": env(
    "FB_PAGE_TOKEN",
    p("EA", "AM", rnd(ALNUM, 160)),
    p("EA", "AM", rnd(ALNUM, 60)),
  ),
  "fastly-api-token": asg("FASTLY_API_TOKEN", rnd(URLSAFE, 32), rnd(URLSAFE, 20)),
  "finicity-secret": asg("finicity_client_secret", rnd(LALNUM, 20), rnd(LALNUM, 12)),
  "finnhub-access-token": asg("FINNHUB_TOKEN", rnd(LALNUM, 20), rnd(LALNUM, 12)),
  "flickr-access-token": asg("FLICKR_API_KEY", rnd(LALNUM, 32), rnd(LALNUM, 20)),
  "flutterwave-key": env(
    "FLW_SECRET_KEY",
    p("FLWSECK", "_TEST-", rnd("abcdefgh0123456789", 32), "-X"),
    p("FLWSECK", "_LIVE-", rnd("abcdefgh0123456789", 32), "-X"),
  ),
  "flyio-access-token": env(
    "FLY_API_TOKEN",
    p("fm", "2_", rnd(B64, 160)),
    p("fm", "2_", rnd(B64, 40)),
  ),
  "frameio-api-token": env(
    "FRAMEIO_TOKEN",
    p("fio", "-u-", rnd(URLSAFE, 64)),
    p("fio", "-u-", rnd(URLSAFE, 30)),
  ),
  "freemius-secret-key": {
    hit: `  'secret_key' => '${p("sk", "_", rnd(ALNUM, 29))}',`,
    miss: `  'secret_key' => '${p("sk", "_", rnd(ALNUM, 12))}',`,
  },
  "freshbooks-access-token": asg("FRESHBOOKS_TOKEN", rnd(LALNUM, 64), rnd(LALNUM, 40)),
  "gcp-oauth-client-secret": env(
    "GOOGLE_CLIENT_SECRET",
    p("GOC", "SPX-", rnd(URLSAFE, 28)),
    p("GOC", "SPX-", rnd(URLSAFE, 14)),
  ),
  "gitlab-session-cookie": {
    hit: `Cookie: ${p("_gitlab", "_session=", rnd(LALNUM, 32))}`,
    miss: `Cookie: ${p("_gitlab", "_session=", rnd(LALNUM, 20))}`,
  },
  "gitter-access-token": asg("GITTER_TOKEN", rnd(URLSAFE, 40), rnd(URLSAFE, 24)),
  "gocardless-api-token": asg(
    "GOCARDLESS_ACCESS_TOKEN",
    p("live", "_", rnd(URLSAFE, 40)),
    p("live", "_", rnd(URLSAFE, 20)),
  ),
  "grafana-api-key": env(
    "GRAFANA_API_KEY",
    p("eyJr", "Ijoi", rnd(ALNUM, 80)),
    p("eyJr", "Ijoi", rnd(ALNUM, 30)),
  ),
  "grafana-cloud-api-token": env(
    "GRAFANA_CLOUD_TOKEN",
    p("gl", "c_", rnd(B64, 64)),
    p("gl", "c_", rnd(B64, 16)),
  ),
  "grafana-service-account-token": env(
    "GRAFANA_SA_TOKEN",
    p("gl", "sa_", rnd(ALNUM, 32), "_", rnd(HEX, 8)),
    p("gl", "sa_", rnd(ALNUM, 32)),
  ),
  "harness-api-key": env(
    "HARNESS_TOKEN",
    p("pat", ".", rnd(URLSAFE, 22), ".", rnd(ALNUM, 24), ".", rnd(ALNUM, 20)),
    p("pat", ".", rnd(URLSAFE, 22), ".", rnd(ALNUM, 24)),
  ),
  "hashicorp-tf-api-token": env(
    "TFE_TOKEN",
    p(rnd(LALNUM, 14), ".atlas", "v1.", rnd(URLSAFE, 67)),
    p(rnd(LALNUM, 14), ".atlas", "v1.", rnd(URLSAFE, 30)),
  ),
  "hashicorp-vault-token": env(
    "VAULT_TOKEN",
    p("hv", "s.", rnd(URLSAFE, 90)),
    p("hv", "x.", rnd(URLSAFE, 90)),
  ),
  "hubspot-api-key": env(
    "HUBSPOT_TOKEN",
    p("pat", "-na1-", uuid()),
    p("pat", "-na1-", rnd(HEX, 12)),
  ),
  "infracost-api-token": env(
    "INFRACOST_API_KEY",
    p("ico", "-", rnd(ALNUM, 32)),
    p("ico", "-", rnd(ALNUM, 16)),
  ),
  "intercom-api-key": asg("INTERCOM_ACCESS_TOKEN", rnd(URLSAFE, 60), rnd(URLSAFE, 40)),
  "intra42-client-secret": env(
    "FT_SECRET",
    p("s-s4", "t2ud-", rnd(HEX, 64)),
    p("s-s4", "t2ud-", rnd(HEX, 32)),
  ),
  "kraken-access-token": asg("KRAKEN_API_SECRET", rnd(B64, 88), rnd(B64, 40)),
  "kucoin-secret": asg("KUCOIN_API_KEY", rnd(HEX, 24), rnd(HEX, 16)),
  "launchdarkly-access-token": asg("LAUNCHDARKLY_ACCESS_TOKEN", rnd(URLSAFE, 40), rnd(URLSAFE, 24)),
  "linear-api-key": env(
    "LINEAR_API_KEY",
    p("lin", "_api_", rnd(ALNUM, 40)),
    p("lin", "_api_", rnd(ALNUM, 20)),
  ),
  "linear-client-secret": asg("LINEAR_CLIENT_SECRET", rnd(HEX, 32), rnd(HEX, 20)),
  "linkedin-client-secret": asg("LINKEDIN_CLIENT_SECRET", rnd(LALNUM, 16), rnd(LALNUM, 10)),
  "lob-api-key": asg("LOB_API_KEY", p("live", "_", rnd(HEX, 35)), p("live", "_", rnd(HEX, 20))),
  "looker-client-secret": asg("LOOKER_CLIENT_SECRET", rnd(LALNUM, 24), rnd(LALNUM, 16)),
  "mailchimp-api-key": env(
    "MAILCHIMP_KEY",
    p(rnd(HEX, 32), "-us", "12"),
    p(rnd(HEX, 32), "-uk", "12"),
  ),
  "mapbox-api-token": env(
    "MAPBOX_TOKEN",
    p("sk", ".eyJ", rnd(URLSAFE, 60), ".", rnd(URLSAFE, 22)),
    p("sk", ".eyJ", rnd(URLSAFE, 60)),
  ),
  "mattermost-access-token": asg("MATTERMOST_TOKEN", rnd(LALNUM, 26), rnd(LALNUM, 16)),
  "maxmind-license-key": env(
    "MAXMIND_LICENSE_KEY",
    p(rnd(ALNUM, 6), "_", rnd(ALNUM, 29), "_m", "mk"),
    p(rnd(ALNUM, 6), "_", rnd(ALNUM, 12), "_m", "mk"),
  ),
  "messagebird-api-token": asg("MESSAGEBIRD_API_KEY", rnd(LALNUM, 25), rnd(LALNUM, 15)),
  "microsoft-teams-webhook": {
    hit: `url: ${
      p(
        "https://acme.",
        "webhook.office.com/webhookb2/",
        uuid(),
        "@",
        uuid(),
        "/IncomingWebhook/",
        rnd(LALNUM, 32),
        "/",
        uuid(),
      )
    }`,
    miss: `url: ${p("https://acme.", "webhook.office.com/webhookb2/", uuid(), "@", uuid())}`,
  },
  "netlify-access-token": env(
    "NETLIFY_AUTH_TOKEN",
    p("nf", "p_", rnd(ALNUM, 36)),
    p("nf", "p_", rnd(ALNUM, 20)),
  ),
  "new-relic-api-key": env(
    "NEW_RELIC_API_KEY",
    p("NR", "AK-", rnd(UALNUM, 27)),
    p("NR", "AK-", rnd(UALNUM, 12)),
  ),
  "new-relic-user-api-id": asg("NEW_RELIC_USER_API_ID", rnd(LALNUM, 64), rnd(LALNUM, 40)),
  "hashicorp-tf-password": {
    hit: `  administrator_login_password = "${rnd(LALNUM, 16)}"`,
    miss: `  administrator_login_password = var.admin_password`,
    file: "infra/main.tf",
  },
  "jwt-base64": env(
    "TOKEN_B64",
    btoa(p("ey", "J", rnd(URLSAFE, 40), ".ey", "J", rnd(URLSAFE, 60), ".", rnd(URLSAFE, 43))),
    btoa(p("ey", "J", rnd(URLSAFE, 10))),
  ),
  "nuget-config-password": {
    hit: `<add key="ClearText${"Password"}" value="${rnd(ALNUM, 16)}" />`,
    miss: `<add key="ClearText${"Password"}" value="%NUGET_PW%" />`,
  },
  "nytimes-access-token": asg("NYTIMES_API_KEY", rnd(URLSAFE, 32), rnd(URLSAFE, 20)),
  "octopus-deploy-api-key": env(
    "OCTOPUS_API_KEY",
    p("API", "-", rnd(UALNUM, 26)),
    p("API", "-", rnd(UALNUM, 12)),
  ),
  "okta-access-token": asg("OKTA_API_TOKEN", p("00", rnd(URLSAFE, 40)), p("00", rnd(URLSAFE, 20))),
  "openshift-user-token": env(
    "OC_TOKEN",
    p("sha256", "~", rnd(URLSAFE, 43)),
    p("sha256", "~", rnd(URLSAFE, 20)),
  ),
  "perplexity-api-key": env(
    "PPLX_KEY",
    p("pp", "lx-", rnd(ALNUM, 48)),
    p("pp", "lx-", rnd(ALNUM, 20)),
  ),
  "plaid-api-token": env(
    "PLAID_ACCESS_TOKEN",
    p("access", "-sandbox-", uuid()),
    p("access", "-sandbox-", rnd(HEX, 12)),
  ),
  "plaid-secret": asg("PLAID_SECRET", rnd(LALNUM, 30), rnd(LALNUM, 20)),
  "planetscale-token": env(
    "PLANETSCALE_PASSWORD",
    p("pscale", "_pw_", rnd(URLSAFE, 43)),
    p("pscale", "_pw_", rnd(URLSAFE, 16)),
  ),
  "postman-api-token": env(
    "POSTMAN_API_KEY",
    p("PM", "AK-", rnd(HEX, 24), "-", rnd(HEX, 34)),
    p("PM", "AK-", rnd(HEX, 24)),
  ),
  "prefect-api-token": env(
    "PREFECT_API_KEY",
    p("pn", "u_", rnd(ALNUM, 36)),
    p("pn", "u_", rnd(ALNUM, 20)),
  ),
  "privateai-api-token": asg("PRIVATE_AI_API_KEY", rnd(LALNUM, 32), rnd(LALNUM, 20)),
  "pulumi-api-token": env(
    "PULUMI_ACCESS_TOKEN",
    p("pu", "l-", rnd(HEX, 40)),
    p("pu", "l-", rnd(HEX, 20)),
  ),
  "rapidapi-access-token": asg("RAPIDAPI_KEY", rnd(URLSAFE, 50), rnd(URLSAFE, 30)),
  "readme-api-token": env(
    "README_API_KEY",
    p("rd", "me_", rnd(LALNUM, 70)),
    p("rd", "me_", rnd(LALNUM, 30)),
  ),
  "rubygems-api-token": env(
    "GEM_HOST_API_KEY",
    p("rubygems", "_", rnd(HEX, 48)),
    p("rubygems", "_", rnd(HEX, 20)),
  ),
  "scalingo-api-token": env(
    "SCALINGO_API_TOKEN",
    p("tk", "-us-", rnd(URLSAFE, 48)),
    p("tk", "-us-", rnd(URLSAFE, 20)),
  ),
  "sendbird-access-token": asg("SENDBIRD_API_TOKEN", rnd(HEX, 40), rnd(HEX, 24)),
  "sendinblue-api-token": env(
    "BREVO_API_KEY",
    p("xkey", "sib-", rnd(HEX, 64), "-", rnd(ALNUM, 16)),
    p("xkey", "sib-", rnd(HEX, 64)),
  ),
  "sentry-token": env(
    "SENTRY_AUTH_TOKEN",
    p("sntr", "yu_", rnd(HEX, 64)),
    p("sntr", "yu_", rnd(HEX, 30)),
  ),
  "sentry-access-token": asg("SENTRY_TOKEN", rnd(HEX, 64), rnd(HEX, 40)),
  "settlemint-access-token": env(
    "SETTLEMINT_TOKEN",
    p("sm", "_pat_", rnd(ALNUM, 16)),
    p("sm", "_pat_", rnd(ALNUM, 8)),
  ),
  "shippo-api-token": env(
    "SHIPPO_TOKEN",
    p("shippo", "_live_", rnd(HEX, 40)),
    p("shippo", "_live_", rnd(HEX, 20)),
  ),
  "sidekiq-secret": {
    hit: `BUNDLE_ENTERPRISE__CONTRIBSYS__COM: ${rnd(HEX, 8)}:${rnd(HEX, 8)}`,
    miss: `BUNDLE_ENTERPRISE__CONTRIBSYS__COM: ${rnd(HEX, 8)}`,
  },
  "sidekiq-sensitive-url": {
    hit: `source "https://${rnd(HEX, 8)}:${rnd(HEX, 8)}@gems.contribsys.com/"`,
    miss: `source "https://gems.contribsys.com/"`,
  },
  "snyk-api-token": asg("SNYK_TOKEN", uuid(), rnd(HEX, 16)),
  "sonar-api-token": env("SONAR_TOKEN", p("sq", "p_", rnd(HEX, 40)), p("sq", "p_", rnd(HEX, 20))),
  "sourcegraph-access-token": env(
    "SRC_ACCESS_TOKEN",
    p("sg", "p_", rnd(HEX, 16), "_", rnd(HEX, 40)),
    p("sg", "p_", rnd(HEX, 16), "_", rnd(HEX, 20)),
  ),
  "square-access-token": env(
    "SQUARE_TOKEN",
    p("sq0", "atp-", rnd(URLSAFE, 22)),
    p("sq0", "atp-", rnd(URLSAFE, 12)),
  ),
  "squarespace-access-token": asg("SQUARESPACE_API_KEY", uuid(), rnd(HEX, 20)),
  "sumologic-access-key": asg("SUMO_ACCESS_KEY", rnd(ALNUM, 64), rnd(ALNUM, 40)),
  "tailscale-key": env(
    "TS_AUTHKEY",
    p("ts", "key-auth-", rnd(ALNUM, 12), "-", rnd(ALNUM, 33)),
    p("ts", "key-auth-", rnd(ALNUM, 12)),
  ),
  "travisci-access-token": asg("TRAVIS_TOKEN", rnd(LALNUM, 22), rnd(LALNUM, 14)),
  "twilio-auth-token": asg("TWILIO_AUTH_TOKEN", rnd(HEX, 32), rnd(HEX, 24)),
  "twitch-api-token": asg("TWITCH_CLIENT_SECRET", rnd(LALNUM, 30), rnd(LALNUM, 20)),
  "twitter-secret": asg("TWITTER_API_SECRET", rnd(ALNUM, 50), rnd(ALNUM, 35)),
  "twitter-bearer-token": env(
    "TWITTER_BEARER",
    p("A".repeat(22), rnd(ALNUM, 90)),
    p("A".repeat(22), rnd(ALNUM, 40)),
  ),
  "typeform-api-token": env(
    "TYPEFORM_TOKEN",
    p("tf", "p_", rnd(URLSAFE, 59)),
    p("tf", "p_", rnd(URLSAFE, 30)),
  ),
  "yandex-key": asg(
    "YANDEX_API_KEY",
    p("AQ", "VN", rnd(URLSAFE, 36)),
    p("AQ", "VN", rnd(URLSAFE, 20)),
  ),
  "zendesk-secret-key": asg("ZENDESK_API_TOKEN", rnd(LALNUM, 40), rnd(LALNUM, 24)),
  "azure-devops-pat": asg(
    "AZURE_DEVOPS_PAT",
    rnd("abcdefghijklmnopqrstuvwxyz234567", 52),
    rnd(LALNUM, 30),
  ),
  "azure-sas-token": {
    hit: `blob = "https://acme.blob.core.windows.net/c?sv=2022-11-02&ss=b&sig=${rnd(B64, 43)}%3D"`,
    miss: `blob = "https://acme.blob.core.windows.net/c?sv=2022-11-02&ss=b&sig=redacted"`,
  },
  "putty-private-key": {
    hit: [
      p("PuTTY-User", "-Key-File-2: ssh-rsa"),
      "Encryption: none",
      "Comment: deploy",
      "Public-Lines: 2",
      rnd(B64, 64),
      rnd(B64, 20),
      "Private-Lines: 2",
      rnd(B64, 64),
      rnd(B64, 20),
    ].join("\n"),
    miss: [p("PuTTY-User", "-Key-File-2: ssh-rsa"), "Encryption: none", "Public-Lines: 1"].join(
      "\n",
    ),
    line: 8,
  },
  "kubernetes-secret-yaml": {
    hit: [
      "apiVersion: v1",
      "kind: Secret",
      "metadata:",
      "  name: db",
      "type: Opaque",
      "data:",
      `  password: ${btoa(rnd(ALNUM, 18))}`,
    ].join("\n"),
    line: 7,
    miss: ["apiVersion: v1", "kind: ConfigMap", "data:", `  mode: ${btoa("production")}`].join(
      "\n",
    ),
  },
};
