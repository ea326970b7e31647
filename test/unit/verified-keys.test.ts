import { describe, expect, it } from "vitest";
import { VerifiedKeys } from "../../shared/api/verified-keys.js";
import type { KeyGrant } from "../../shared/domain/scopes.js";

/** A verifier whose answers the test releases by hand (a tenant id: a key of all scopes), counting the checks. */
function manualVerifier() {
  const pending: { key: string; settle: (tenant: string | undefined | Error, expiresAt?: Date) => void }[] =
    [];
  const verify = (key: string) =>
    new Promise<KeyGrant | undefined>((resolve, reject) =>
      pending.push({
        key,
        settle: (t, expiresAt) =>
          t instanceof Error
            ? reject(t)
            : resolve(
                t === undefined
                  ? t
                  : { tenantId: t, scopes: ["read", "write", "erase"], expiresAt: expiresAt ?? null },
              ),
      }),
    );
  return { verify, pending };
}

/** The tenant a cache grants the key to. */
const tenantOf = async (cache: VerifiedKeys, key: string) => (await cache.grantOf(key))?.tenantId;

const flush = () => new Promise((r) => setTimeout(r, 0));

/** A clock that starts at `start` (lru-cache, like performance.now(), never reads 0) and moves by hand. */
const start = 10_000;

/** A cache on a clock the test moves, holding key "k" of tenant "acme" verified at `start`. */
async function primedCache() {
  const clock = { now: start };
  const v = manualVerifier();
  const cache = new VerifiedKeys(v.verify, 1000, () => clock.now);
  const first = tenantOf(cache, "k");
  v.pending[0]?.settle("acme");
  expect(await first).toBe("acme");
  return { clock, v, cache };
}

describe("VerifiedKeys", () => {
  it("asks once for a key however many requests miss it together", async () => {
    const v = manualVerifier();
    const cache = new VerifiedKeys(v.verify, 1000, () => start);
    const answers = Promise.all(Array.from({ length: 100 }, () => tenantOf(cache, "k")));
    expect(v.pending).toHaveLength(1);
    v.pending[0]?.settle("acme");
    expect(new Set(await answers)).toEqual(new Set(["acme"]));
  });

  it("answers from an expired entry while one re-check runs, then drops a revoked key", async () => {
    const { clock, v, cache } = await primedCache();
    clock.now = start + 1500; // expired, within the grace
    expect(await Promise.all([tenantOf(cache, "k"), tenantOf(cache, "k")])).toEqual(["acme", "acme"]);
    expect(v.pending).toHaveLength(2); // the first check and one re-check
    v.pending[1]?.settle(undefined); // revoked meanwhile
    await flush();
    // Refused at once, and remembered as invalid: no further check is asked for.
    expect(await tenantOf(cache, "k")).toBeUndefined();
    expect(await tenantOf(cache, "k")).toBeUndefined();
    expect(v.pending).toHaveLength(2);
  });

  it("keeps the last answer through a failed re-check, and fails once it is too old", async () => {
    const { clock, v, cache } = await primedCache();
    clock.now = start + 1200;
    expect(await tenantOf(cache, "k")).toBe("acme");
    v.pending[1]?.settle(new Error("pool timeout"));
    await flush();
    clock.now = start + 1900;
    expect(await tenantOf(cache, "k")).toBe("acme");
    v.pending[2]?.settle(new Error("pool timeout"));
    await flush();
    clock.now = start + 2100; // past until + ttl: the caller must see the error
    const late = tenantOf(cache, "k");
    v.pending[3]?.settle(new Error("pool timeout"));
    await expect(late).rejects.toThrow("pool timeout");
  });

  it("stops granting a key at its expiry, between two checks", async () => {
    const wall = { now: Date.UTC(2026, 0, 1) };
    const v = manualVerifier();
    const cache = new VerifiedKeys(
      v.verify,
      60_000,
      () => start,
      100,
      () => wall.now,
    );
    const first = tenantOf(cache, "k");
    v.pending[0]?.settle("acme", new Date(wall.now + 5_000));
    expect(await first).toBe("acme");
    wall.now += 4_999;
    expect(await tenantOf(cache, "k")).toBe("acme");
    wall.now += 1;
    expect(await tenantOf(cache, "k")).toBeUndefined();
    expect(v.pending).toHaveLength(1);
  });
});
