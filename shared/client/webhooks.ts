/**
 * Verifying a webhook on the receiving side. The memory signs as the Standard Webhooks
 * specification says (standardwebhooks.com), so its libraries verify these deliveries too; this is
 * the same check with no dependency: Web Crypto only, so it runs wherever the client does.
 *
 *   const event = await verifyWebhook(process.env.HM_WEBHOOK_SECRET, rawBody, request.headers);
 *
 * Pass the body exactly as received (before any JSON parsing).
 */

/** A verified delivery: the event's id (the same on every attempt: drop repeats), type, time and data. */
export interface WebhookEvent<T = Record<string, unknown>> {
  id: string;
  type: string;
  timestamp: string;
  data: T;
}

export interface VerifyOptions {
  /** How far the signed time may be from now, in seconds; default 300 (replays are refused past it). */
  toleranceSeconds?: number;
  /** The time to check against, ms since the epoch; default now. */
  now?: number;
}

/** The delivery is not one the memory signed for this secret, or it is too old or too new. */
export class WebhookVerificationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WebhookVerificationError";
  }
}

type HeaderBag = Headers | Record<string, string | string[] | undefined>;

function header(headers: HeaderBag, name: string): string | undefined {
  if (typeof (headers as Headers).get === "function") return (headers as Headers).get(name) ?? undefined;
  const bag = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(bag).find((k) => k.toLowerCase() === name);
  const value = key === undefined ? undefined : bag[key];
  return Array.isArray(value) ? value.join(" ") : value;
}

function base64Bytes(text: string): Uint8Array<ArrayBuffer> | undefined {
  try {
    return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/**
 * The event of a delivery whose signature one of `secrets` (`whsec_...`; several while you rotate)
 * made, signed within the tolerance; WebhookVerificationError otherwise.
 */
export async function verifyWebhook<T = Record<string, unknown>>(
  secrets: string | readonly string[],
  body: string,
  headers: HeaderBag,
  options: VerifyOptions = {},
): Promise<WebhookEvent<T>> {
  const id = header(headers, "webhook-id");
  const timestamp = header(headers, "webhook-timestamp");
  const signatures = header(headers, "webhook-signature");
  if (!id || !timestamp || !signatures) throw new WebhookVerificationError("missing webhook headers");
  const seconds = Number(timestamp);
  if (!/^\d+$/.test(timestamp) || !Number.isSafeInteger(seconds))
    throw new WebhookVerificationError("invalid webhook-timestamp");
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  const tolerance = options.toleranceSeconds ?? 300;
  if (now - seconds > tolerance) throw new WebhookVerificationError("webhook timestamp too old");
  if (seconds - now > tolerance) throw new WebhookVerificationError("webhook timestamp too new");
  const signed = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  const given = signatures
    .split(" ")
    .filter((s) => s.startsWith("v1,"))
    .map((s) => base64Bytes(s.slice(3)))
    .filter((s): s is Uint8Array<ArrayBuffer> => s !== undefined);
  for (const secret of typeof secrets === "string" ? [secrets] : secrets) {
    const raw = base64Bytes(secret.startsWith("whsec_") ? secret.slice(6) : secret);
    if (!raw || raw.length === 0) throw new WebhookVerificationError("the secret is not a whsec_ secret");
    const key = await crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, [
      "verify",
    ]);
    // crypto.subtle.verify compares in constant time.
    for (const signature of given)
      if (await crypto.subtle.verify("HMAC", key, signature, signed)) {
        const event = JSON.parse(body) as Omit<WebhookEvent<T>, "id">;
        return { id, type: event.type, timestamp: event.timestamp, data: event.data };
      }
  }
  throw new WebhookVerificationError("no matching webhook signature");
}
