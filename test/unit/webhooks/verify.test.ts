/**
 * The client's verifyWebhook (shared/client/webhooks.ts), what a receiver runs: it accepts what the
 * memory signs (and the Standard Webhooks test vector), and refuses a forged or tampered delivery, a
 * wrong secret, missing headers, and a timestamp outside the tolerance (a replay).
 */
import { describe, expect, it } from "vitest";
import { verifyWebhook, WebhookVerificationError } from "../../../shared/client/webhooks.js";
import { signature, signedHeaders } from "../../../shared/memory/webhooks/signing.js";
import { newWebhookSecret } from "../../../shared/tiers/webhooks.js";
import { standardVector } from "../../helpers/webhooks.js";

const secret = newWebhookSecret();
const body = JSON.stringify({
  type: "user.erased",
  timestamp: "2026-01-01T00:00:00.000Z",
  data: { userId: "u1", exchanges: 3 },
});
const id = "msg_0123456789abcdef0123456789abcdef";

const refused = async (promise: Promise<unknown>, reason: RegExp) => {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WebhookVerificationError);
  expect((error as Error).message).toMatch(reason);
};

describe("verifyWebhook", () => {
  it("accepts a delivery the memory signed, and answers its event", async () => {
    const headers = signedHeaders([secret], id, body);
    expect(await verifyWebhook(secret, body, headers)).toEqual({
      id,
      type: "user.erased",
      timestamp: "2026-01-01T00:00:00.000Z",
      data: { userId: "u1", exchanges: 3 },
    });
    // A fetch Request's Headers, and Node's header casing, work the same.
    expect((await verifyWebhook(secret, body, new Headers(headers))).id).toBe(id);
    const shouting = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toUpperCase(), v]));
    expect((await verifyWebhook(secret, body, shouting)).id).toBe(id);
  });

  it("accepts the Standard Webhooks test vector at its time", async () => {
    const { secret: vectorSecret, id: vectorId, timestamp, body: vectorBody } = standardVector;
    const headers = {
      "webhook-id": vectorId,
      "webhook-timestamp": String(timestamp),
      "webhook-signature": standardVector.signature,
    };
    await verifyWebhook(vectorSecret, vectorBody, headers, { now: timestamp * 1000 });
  });

  it("refuses a forged signature, a tampered body or id, and a wrong secret", async () => {
    const headers = signedHeaders([secret], id, body);
    const forged = signature(newWebhookSecret(), id, Number(headers["webhook-timestamp"]), body);
    await refused(verifyWebhook(secret, body, { ...headers, "webhook-signature": forged }), /no matching/);
    await refused(verifyWebhook(secret, body.replace("u1", "u2"), headers), /no matching/);
    await refused(verifyWebhook(secret, body, { ...headers, "webhook-id": `${id}0` }), /no matching/);
    await refused(verifyWebhook(newWebhookSecret(), body, headers), /no matching/);
    await refused(verifyWebhook(secret, body, { ...headers, "webhook-signature": "v1,AAAA" }), /no matching/);
    await refused(verifyWebhook(secret, body, { ...headers, "webhook-signature": "v2,abc" }), /no matching/);
  });

  it("refuses a delivery signed too long ago or too far ahead (a replay), however well signed", async () => {
    const now = Date.now();
    await refused(verifyWebhook(secret, body, signedHeaders([secret], id, body, now - 301_000)), /too old/);
    await refused(verifyWebhook(secret, body, signedHeaders([secret], id, body, now + 301_000)), /too new/);
    const old = signedHeaders([secret], id, body, now - 3_600_000);
    await refused(verifyWebhook(secret, body, old), /too old/);
    expect((await verifyWebhook(secret, body, old, { toleranceSeconds: 7200 })).id).toBe(id);
  });

  it("refuses missing or malformed headers", async () => {
    const headers = signedHeaders([secret], id, body);
    for (const name of ["webhook-id", "webhook-timestamp", "webhook-signature"]) {
      const { [name]: _, ...rest } = headers;
      await refused(verifyWebhook(secret, body, rest), /missing/);
    }
    await refused(verifyWebhook(secret, body, { ...headers, "webhook-timestamp": "soon" }), /invalid/);
  });

  it("accepts any of the signatures of a rotation, and any of the secrets a receiver holds", async () => {
    const next = newWebhookSecret();
    const both = signedHeaders([next, secret], id, body);
    expect((await verifyWebhook(secret, body, both)).id).toBe(id);
    expect((await verifyWebhook(next, body, both)).id).toBe(id);
    expect((await verifyWebhook([newWebhookSecret(), next], body, signedHeaders([next], id, body))).id).toBe(
      id,
    );
  });
});
