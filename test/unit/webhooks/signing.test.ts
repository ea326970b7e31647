/**
 * Signing follows the Standard Webhooks specification byte for byte: the specification's own test
 * vector (from its reference libraries) signs to the same value, so receivers can verify with them.
 */
import { describe, expect, it } from "vitest";
import { signature, signedHeaders } from "../../../shared/memory/webhooks/signing.js";
import { standardVector } from "../../helpers/webhooks.js";

describe("webhook signing", () => {
  it("signs the Standard Webhooks test vector to its published signature", () => {
    const { secret, id, timestamp, body } = standardVector;
    expect(signature(secret, id, timestamp, body)).toBe(standardVector.signature);
    // The prefix is optional, as in the reference libraries.
    expect(signature(secret.slice(6), id, timestamp, body)).toBe(standardVector.signature);
  });

  it("sends the id, the time of sending in seconds, and one signature per secret in force", () => {
    const { secret, id, body } = standardVector;
    const other = "whsec_c2Vjb25kIHNlY3JldCBvZiB0aGlydHktdHdvIGJ5dGVzIQ==";
    const headers = signedHeaders([secret, other], id, body, 1614265330_900);
    expect(headers).toEqual({
      "webhook-id": id,
      "webhook-timestamp": "1614265330",
      "webhook-signature": `${standardVector.signature} ${signature(other, id, 1614265330, body)}`,
    });
  });

  it("changes with every part it covers", () => {
    const { secret, id, timestamp, body } = standardVector;
    const base = signature(secret, id, timestamp, body);
    expect(signature(secret, `${id}x`, timestamp, body)).not.toBe(base);
    expect(signature(secret, id, timestamp + 1, body)).not.toBe(base);
    expect(signature(secret, id, timestamp, `${body} `)).not.toBe(base);
  });
});
