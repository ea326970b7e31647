/**
 * Signing as the Standard Webhooks specification does it (standardwebhooks.com), so receivers can
 * verify with its libraries: HMAC-SHA256 over `<webhook-id>.<webhook-timestamp>.<body>`, keyed by
 * the base64-decoded secret after `whsec_`, sent base64 as `webhook-signature: v1,<signature>`;
 * during a secret rotation one `v1,` signature per secret in force, separated by spaces.
 */
import { createHmac } from "node:crypto";

const secretPrefix = "whsec_";

/** The HMAC key a `whsec_...` secret stands for. */
export const signingKey = (secret: string) =>
  Buffer.from(secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret, "base64");

/** `v1,<base64 HMAC-SHA256>` of one message under one secret; `timestamp` in seconds. */
export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const mac = createHmac("sha256", signingKey(secret)).update(`${id}.${timestamp}.${body}`).digest("base64");
  return `v1,${mac}`;
}

/** The headers of one attempt: its id, the time of sending and a signature per secret in force. */
export function signedHeaders(
  secrets: readonly string[],
  id: string,
  body: string,
  now = Date.now(),
): Record<string, string> {
  const timestamp = Math.floor(now / 1000);
  return {
    "webhook-id": id,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": secrets.map((s) => signature(s, id, timestamp, body)).join(" "),
  };
}
