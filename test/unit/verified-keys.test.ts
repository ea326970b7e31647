import { describe, expect, it } from "vitest";
import { VerifiedKeys } from "../../shared/api/verified-keys.js";

/** A verifier whose answers the test releases by hand, counting the checks it was asked for. */
function manualVerifier() {
  const pending: { key: string; settle: (tenant: string | undefined | Error) => void }[] = [];
  const verify = (key: string) =>
    new Promise<string | undefined>((resolve, reject) =>
      pending.push({ key, settle: (t) => (t instanceof Error ? reject(t) : resolve(t)) }),
    );
  return { verify, pending };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

/** A clock that starts at `start` (lru-cache, like performance.now(), never reads 0) and moves by hand. */
const start = 10_000;

/** A cache on a clock the test moves, holding key "k" of tenant "acme" verified at `start`. */
async function primedCache() {
  const clock = { now: start };
  const v = manualVerifier();
  const cache = new VerifiedKeys(v.verify, 1000, () => clock.now);
  const first = cache.tenantOf("k");
  v.pending[0]?.settle("acme");
  expect(await first).toBe("acme");
  return { clock, v, cache };
}

describe("VerifiedKeys", () => {
  it("asks once for a key however many requests miss it together", async () => {
    const v = manualVerifier();
    const cache = new VerifiedKeys(v.verify, 1000, () => start);
    const answers = Promise.all(Array.from({ length: 100 }, () => cache.tenantOf("k")));
    expect(v.pending).toHaveLength(1);
    v.pending[0]?.settle("acme");
    expect(new Set(await answers)).toEqual(new Set(["acme"]));
  });

  it("answers from an expired entry while one re-check runs, then drops a revoked key", async () => {
    const { clock, v, cache } = await primedCache();
    clock.now = start + 1500; // expired, within the grace
    expect(await Promise.all([cache.tenantOf("k"), cache.tenantOf("k")])).toEqual(["acme", "acme"]);
    expect(v.pending).toHaveLength(2); // the first check and one re-check
    v.pending[1]?.settle(undefined); // revoked meanwhile
    await flush();
    // Refused at once, and remembered as invalid: no further check is asked for.
    expect(await cache.tenantOf("k")).toBeUndefined();
    expect(await cache.tenantOf("k")).toBeUndefined();
    expect(v.pending).toHaveLength(2);
  });

  it("keeps the last answer through a failed re-check, and fails once it is too old", async () => {
    const { clock, v, cache } = await primedCache();
    clock.now = start + 1200;
    expect(await cache.tenantOf("k")).toBe("acme");
    v.pending[1]?.settle(new Error("pool timeout"));
    await flush();
    clock.now = start + 1900;
    expect(await cache.tenantOf("k")).toBe("acme");
    v.pending[2]?.settle(new Error("pool timeout"));
    await flush();
    clock.now = start + 2100; // past until + ttl: the caller must see the error
    const late = cache.tenantOf("k");
    v.pending[3]?.settle(new Error("pool timeout"));
    await expect(late).rejects.toThrow("pool timeout");
  });
});
