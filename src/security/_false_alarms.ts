/**
 * What the built-in rules take for a secret but is not one: placeholders, documentation
 * sample keys, and for the `generic-*` rules hashes, UUIDs, paths and base64 of plain text. Looked at
 * only for a match (never per byte), so none of it costs a scan of clean text anything.
 */
import { sha256Hex } from "../core/hash.ts";

/** Words that make a value a placeholder (lower case). */
const PLACEHOLDER_WORDS = [
  "example",
  "sample",
  "placeholder",
  "your_",
  "your-",
  "yourkey",
  "yourtoken",
  "xxxx",
  "****",
  "....",
  "changeme",
  "change_me",
  "dummy",
  "redacted",
  "notreal",
  "not_real",
  "fake",
  "replace_me",
  "replaceme",
  "insert_",
  "<",
  ">",
  "${",
  "{{",
  "$(",
  "0123456789",
  "123456789",
  "abcdefghij",
  "qwerty",
];

const TEMPLATE_MARKS = ["${", "{{", "$(", "xxxxxxxx", "********"];

/**
 * Keys published as samples in providers' documentation (Stripe's, jwt.io's,
 * Slack's, GitHub's). Kept as their first four characters and length (which select the few values worth hashing:
 * a file of thousands of tokens is not hashed twice over) and their SHA-256: the repository
 * holds no literal token.
 */
const DOC_SAMPLES: readonly [string, string][] = [
  ["sk_t:32", "2cafc0970149a84f3b9e62eaf169f36f59907a3b3e31f7b82e68c69cd27f7326"],
  ["sk_t:32", "f2d6ca16515033e5dce14eba840b979d27b5cbae24bb3e5bf484339667f86397"],
  ["eyJh:155", "7f75367e7881255134e1375e723d1dea8ad5f6a4fdb79d938df1f1754a830606"],
  ["xoxb:53", "2ddc147f3a3b5a1722b8ed6be3c45c49a7156b17fca5d11410137a6d04def6eb"],
  ["gho_:40", "bc3ae723f57c6b9e3fd80b699fcc420f6074b0b1718039669d22631d508ac0a7"],
];
const DOC_SAMPLE_SHAPES = new Set(DOC_SAMPLES.map(([shape]) => shape));
const DOC_SAMPLE_SHA256 = new Set(DOC_SAMPLES.map(([, sha]) => sha));

const escape = (w: string) => w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
// one search per value instead of one per word
const WORDS_RE = new RegExp(PLACEHOLDER_WORDS.map(escape).join("|"), "i");
const MARKS_RE = new RegExp(TEMPLATE_MARKS.map(escape).join("|"), "i");

/**
 * Whether `s` is mostly one character or almost no characters: its longest run of one
 * character makes a third of it (6 at least), or it has at most 3 distinct characters.
 */
function repetitive(s: string): boolean {
  let best = 0;
  let run = 0;
  // distinct characters, counted up to 4 (those beyond ASCII as one)
  const seen = new Uint32Array(5);
  let distinct = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    run = i > 0 && c === s.charCodeAt(i - 1) ? run + 1 : 1;
    if (run > best) best = run;
    const word = c < 128 ? c >> 5 : 4;
    const bit = c < 128 ? 1 << (c & 31) : 1;
    if (!(seen[word] & bit)) {
      seen[word] |= bit;
      distinct++;
    }
  }
  return (best >= 6 && best * 3 >= s.length) || (distinct <= 3 && s.length >= 8);
}

/**
 * Whether `secret` is a placeholder: a placeholder word or template (`xxxx`, `<token>`,
 * `${VAR}`, `example`, a run of one character making a third of it, a counting sequence),
 * or a documented sample key.
 */
export function isPlaceholder(secret: string): boolean {
  // words only in a value of token size: a key block of kilobytes holds "fake" by chance
  if ((secret.length <= 120 ? WORDS_RE : MARKS_RE).test(secret)) return true;
  if (repetitive(secret)) return true;
  return DOC_SAMPLE_SHAPES.has(`${secret.slice(0, 4)}:${secret.length}`) &&
    DOC_SAMPLE_SHA256.has(sha256Hex(secret));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const HEX = /^(?:[0-9a-f]+|[0-9A-F]+)$/;
const HASH_NAME = /sha-?[0-9]{0,3}|md5|hash|digest|checksum|commit|etag|integrity|revision/i;
const HASH_PREFIX = /^(?:sha-?[0-9]{1,3}|md5)[-:_=]/i;
const SOURCE_EXT =
  /\.(?:[cm]?[jt]sx?|json[c5]?|py|go|rs|rb|java|kt|php|md|html?|css|scss|ya?ml|toml|wasm|lock|txt|sh|svg|png)$/i;
const PATH = /^(?:\.{1,2}\/|~\/)|^[a-z0-9@._~-]*(?:\/[a-z0-9@._~-]+)+\/?$/;
const B64 = /^[A-Za-z0-9+/]{16,}={0,2}$/;

/** Whether base64 `s` decodes to plain text (words with spaces, or JSON), not key bytes. */
function base64OfText(s: string): boolean {
  if (!B64.test(s) || s.length % 4 === 1) return false;
  let bin: string;
  try {
    bin = atob(s.padEnd(s.length + ((4 - s.length % 4) % 4), "="));
  } catch {
    return false;
  }
  for (let i = 0; i < bin.length; i++) {
    const c = bin.charCodeAt(i);
    if ((c < 0x20 || c > 0x7e) && c !== 10 && c !== 13 && c !== 9) return false;
  }
  return /\s/.test(bin) || /^[{[]/.test(bin);
}

const WORDS = /^[a-z]{2,12}(?:[_.-][a-z][a-z0-9]{0,11}){1,8}$/;

/**
 * Whether the value a generic rule found is something else that looks random: a UUID, a hash
 * (hex named or prefixed as one: `before` is the text just before the value), words joined by
 * `-`, `_` or `.` (`prod-db-credentials-v2`), a path or module specifier (`./x/mod.ts`,
 * `@std/path/posix`), or base64 of plain text.
 */
export function genericFalseAlarm(secret: string, before: string): boolean {
  if (UUID.test(secret) || HASH_PREFIX.test(secret) || WORDS.test(secret)) return true;
  if (HEX.test(secret) && HASH_NAME.test(before)) return true;
  if (secret.includes("/") && (PATH.test(secret) || SOURCE_EXT.test(secret))) return true;
  return base64OfText(secret);
}

/** Paths of test fixtures: findings there get a lower severity, not silence. */
const FIXTURE_PATH =
  /(?:^|\/)(?:tests?|__tests__|specs?|fixtures?|__fixtures__|testdata|test_data|mocks?|__mocks__|__snapshots__)\/|(?:^|\/)test_[^/]*$|[._-](?:test|spec)\.[^/]*$/i;

/** Whether `file` (repo-relative, `/` separators) is a test or a test fixture. */
export function isFixturePath(file: string): boolean {
  return FIXTURE_PATH.test(file);
}

let crcTable: Int32Array | null = null;

/** CRC-32 (IEEE 802.3, as zlib) of the ASCII text `s`. */
function crc32(s: string): number {
  if (!crcTable) {
    crcTable = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < s.length; i++) crc = crcTable[(crc ^ s.charCodeAt(i)) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/**
 * Whether a token of a format with a checksum fails it: GitHub's classic tokens (`ghp_`,
 * `gho_`, `ghu_`, `ghs_`, `ghr_`) and npm's end in the CRC-32 of the 30 characters after the
 * prefix, in base62 (6 characters). A token that fails was not issued by the provider (a
 * made-up test value); null for rules without a checksum.
 */
export function checksumFails(rule: string, secret: string): boolean | null {
  if (rule !== "github-token" && rule !== "npm-access-token") return null;
  if (secret.length !== 40) return null;
  let sum = 0;
  for (const ch of secret.slice(34)) sum = sum * 62 + BASE62.indexOf(ch);
  return sum !== crc32(secret.slice(4, 34));
}
