/** The KeyStore port's contract (shared/tiers/key-store.ts), run against PostgresKeyStore and the in-memory one. */
import { beforeEach, describe, expect, it } from "vitest";
import { adminTenant } from "../../shared/domain/identity.js";
import { InvalidInputError } from "../../shared/errors/memory-error.js";
import type { KeyStore } from "../../shared/tiers/key-store.js";

export interface KeyStoreFixture {
  keys: KeyStore;
  /** A tenant id no other test uses. */
  tenant(): string;
}

const keyFormat = /^hm_[a-z0-9]{12}_[A-Za-z0-9_-]{43}$/;

export function keyStoreContract(name: string, make: () => Promise<KeyStoreFixture>) {
  describe(`KeyStore contract: ${name}`, () => {
    let f: KeyStoreFixture;
    beforeEach(async () => {
      f = await make();
    });

    it("creates a key, shown once, that verifies to its tenant", async () => {
      const tenant = f.tenant();
      const before = Date.now();
      const { key, info } = await f.keys.create(tenant, "production bot");
      expect(key).toMatch(keyFormat);
      expect(key.startsWith(`hm_${info.id}_`)).toBe(true);
      expect(info).toMatchObject({
        tenantId: tenant,
        name: "production bot",
        scopes: ["read", "write", "erase"],
        expiresAt: null,
        revokedAt: null,
      });
      expect(Math.abs(info.createdAt.getTime() - before)).toBeLessThan(60_000);
      expect(await f.keys.verify(key)).toEqual({
        tenantId: tenant,
        scopes: ["read", "write", "erase"],
        expiresAt: null,
      });
      expect(JSON.stringify(await f.keys.list(tenant))).not.toContain(key.slice(16));
    });

    it("verifies nothing else: a wrong secret, an unknown id, text that is not a key", async () => {
      const { key, info } = await f.keys.create(f.tenant(), "k");
      const secret = key.slice(16);
      const otherSecret = `${secret.slice(0, -1)}${secret.endsWith("A") ? "B" : "A"}`;
      for (const wrong of [
        `hm_${info.id}_${otherSecret}`,
        `hm_${"0".repeat(12)}_${secret}`,
        `${key}x`,
        key.toUpperCase(),
        `Bearer ${key}`,
        "hm_",
        "",
      ])
        expect(await f.keys.verify(wrong), wrong).toBeUndefined();
    });

    it("refuses a tenant id that is not one", async () => {
      for (const bad of ["Acme", "_admin", "", "a/b", "-acme", "a".repeat(64), "acme corp"])
        await expect((async () => f.keys.create(bad, "k"))(), bad).rejects.toBeInstanceOf(InvalidInputError);
    });

    it("creates operator keys, which verify to the operator tenant", async () => {
      const { key, info } = await f.keys.createAdmin("console");
      expect(info.tenantId).toBe(adminTenant);
      expect((await f.keys.verify(key))?.tenantId).toBe(adminTenant);
      expect((await f.keys.list(adminTenant)).map((k) => k.id)).toContain(info.id);
    });

    it("keeps a key's scopes (in a fixed order) and expiry, and stops verifying it once expired", async () => {
      const tenant = f.tenant();
      const expiresAt = new Date(Date.now() + 1_000);
      const { key, info } = await f.keys.create(tenant, "reader", { scopes: ["erase", "read"], expiresAt });
      expect(info).toMatchObject({ scopes: ["read", "erase"], expiresAt });
      expect(await f.keys.verify(key)).toEqual({ tenantId: tenant, scopes: ["read", "erase"], expiresAt });
      expect((await f.keys.list(tenant))[0]).toMatchObject({ scopes: ["read", "erase"], expiresAt });
      const admin = await f.keys.createAdmin("looker", { scopes: ["read"] });
      expect((await f.keys.verify(admin.key))?.scopes).toEqual(["read"]);
      await new Promise((r) => setTimeout(r, 1_050));
      expect(await f.keys.verify(key)).toBeUndefined();
    });

    it("refuses a key with no scope, an unknown scope, or an expiry in the past", async () => {
      const tenant = f.tenant();
      for (const options of [
        { scopes: [] },
        { scopes: ["read", "admin"] as never[] },
        { expiresAt: new Date(Date.now() - 1_000) },
      ])
        await expect(f.keys.create(tenant, "k", options)).rejects.toBeInstanceOf(InvalidInputError);
      expect(await f.keys.list(tenant)).toEqual([]);
    });

    it("lists keys by tenant, or all", async () => {
      const [t1, t2] = [f.tenant(), f.tenant()];
      const a = (await f.keys.create(t1, "a")).info;
      const b = (await f.keys.create(t1, "b")).info;
      const c = (await f.keys.create(t2, "c")).info;
      expect((await f.keys.list(t1)).sort((x, y) => x.name.localeCompare(y.name))).toEqual([a, b]);
      expect(await f.keys.list(t2)).toEqual([c]);
      expect((await f.keys.list()).map((k) => k.id)).toEqual(expect.arrayContaining([a.id, b.id, c.id]));
      expect(await f.keys.list(f.tenant())).toEqual([]);
    });

    it("revokes a key once: it stops verifying, and the tenant's other keys go on", async () => {
      const tenant = f.tenant();
      const revoked = await f.keys.create(tenant, "old");
      const kept = await f.keys.create(tenant, "new");
      expect(await f.keys.revoke(revoked.info.id)).toBe(true);
      expect(await f.keys.revoke(revoked.info.id)).toBe(false);
      expect(await f.keys.revoke("000000000000")).toBe(false);
      expect(await f.keys.verify(revoked.key)).toBeUndefined();
      expect((await f.keys.verify(kept.key))?.tenantId).toBe(tenant);
      const listed = await f.keys.list(tenant);
      expect(listed.find((k) => k.id === revoked.info.id)?.revokedAt).toBeInstanceOf(Date);
      expect(listed.find((k) => k.id === kept.info.id)?.revokedAt).toBeNull();
    });
  });
}
