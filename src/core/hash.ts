/**
 * SHA-256 through Web Crypto (built into the runtime: loading `node:crypto` costs tens of
 * milliseconds, more than the git hooks that need a checksum may spend).
 *
 * @module
 */

/** The SHA-256 of a string's UTF-8 bytes, as lower-case hex. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)),
  );
  let hex = "";
  for (const b of digest) hex += b.toString(16).padStart(2, "0");
  return hex;
}
