/**
 * The contract of the webhook ports (shared/tiers/webhooks.ts): endpoints, the delivery queue and
 * tier incidents, run against the Postgres stores and the in-memory ones. Each test starts from
 * empty stores.
 */
import { beforeEach, describe, expect, it } from "vitest";
import type { EndpointSettings } from "../../shared/domain/webhooks.js";
import { maxEndpointsPerTenant } from "../../shared/domain/webhooks.js";
import { ConflictError } from "../../shared/errors/memory-error.js";
import type {
  NewDelivery,
  TierIncidents,
  WebhookDeliveries,
  WebhookEndpoints,
} from "../../shared/tiers/webhooks.js";
import { sleep } from "./fixture.js";

export interface WebhooksFixture {
  endpoints: WebhookEndpoints;
  deliveries: WebhookDeliveries;
  incidents: TierIncidents;
  /** A tenant id no other test uses. */
  tenant(): string;
}

const settings = (over: Partial<EndpointSettings> = {}): EndpointSettings => ({
  url: "https://hooks.example.com/memory",
  description: "",
  events: ["user.erased"],
  includeText: false,
  degradedAfterMinutes: 5,
  enabled: true,
  ...over,
});

const secretFormat = /^whsec_[A-Za-z0-9+/]{43}=$/;

export function webhooksContract(name: string, make: () => Promise<WebhooksFixture>) {
  describe(`Webhooks contract: ${name}`, () => {
    let f: WebhooksFixture;
    beforeEach(async () => {
      f = await make();
    });

    const delivery = (
      endpointId: string,
      tenantId: string,
      over: Partial<NewDelivery> = {},
    ): NewDelivery => ({
      endpointId,
      tenantId,
      eventId: `msg_${crypto.randomUUID().replaceAll("-", "")}`,
      eventType: "user.erased",
      payload: '{"type":"user.erased"}',
      ...over,
    });

    describe("endpoints", () => {
      it("creates an endpoint with a secret shown once, and keeps it to its tenant", async () => {
        const [acme, globex] = [f.tenant(), f.tenant()];
        const { endpoint, secret } = await f.endpoints.create(
          acme,
          settings({
            description: "billing",
            events: ["user.erased", "tier.degraded"],
            degradedAfterMinutes: 15,
          }),
        );
        expect(secret).toMatch(secretFormat);
        expect(endpoint).toMatchObject({
          tenantId: acme,
          url: "https://hooks.example.com/memory",
          description: "billing",
          events: ["user.erased", "tier.degraded"],
          includeText: false,
          degradedAfterMinutes: 15,
          enabled: true,
          disabledReason: null,
          previousSecretExpiresAt: null,
          health: { lastStatus: null, failureStreak: 0, failingSince: null },
        });
        expect(await f.endpoints.get(acme, endpoint.id)).toEqual(endpoint);
        expect(await f.endpoints.list(acme)).toEqual([endpoint]);
        expect(JSON.stringify(await f.endpoints.list())).not.toContain(secret.slice(6));
        expect(await f.endpoints.get(globex, endpoint.id)).toBeUndefined();
        expect(await f.endpoints.get(acme, "not-an-id")).toBeUndefined();
        expect(await f.endpoints.get(acme, crypto.randomUUID())).toBeUndefined();
        expect(await f.endpoints.list(globex)).toEqual([]);
        expect((await f.endpoints.signing([endpoint.id])).get(endpoint.id)).toEqual({
          url: endpoint.url,
          enabled: true,
          secrets: [secret],
        });
      });

      it("lists a tenant's endpoints oldest first, and every tenant's without one", async () => {
        const [acme, globex] = [f.tenant(), f.tenant()];
        const a = (await f.endpoints.create(acme, settings({ description: "a" }))).endpoint;
        const b = (await f.endpoints.create(acme, settings({ description: "b" }))).endpoint;
        const c = (await f.endpoints.create(globex, settings())).endpoint;
        expect((await f.endpoints.list(acme)).map((e) => e.id)).toEqual([a.id, b.id]);
        expect((await f.endpoints.list()).map((e) => e.id)).toEqual(
          expect.arrayContaining([a.id, b.id, c.id]),
        );
      });

      it(`refuses a tenant's endpoint past ${maxEndpointsPerTenant}`, async () => {
        const tenant = f.tenant();
        for (let i = 0; i < maxEndpointsPerTenant; i++) await f.endpoints.create(tenant, settings());
        await expect(f.endpoints.create(tenant, settings())).rejects.toBeInstanceOf(ConflictError);
        await f.endpoints.create(f.tenant(), settings());
      });

      it("updates what is given, only for its tenant", async () => {
        const [acme, globex] = [f.tenant(), f.tenant()];
        const { endpoint } = await f.endpoints.create(acme, settings());
        const updated = await f.endpoints.update(acme, endpoint.id, {
          url: "https://other.example.com/h",
          events: ["memory.deleted", "memory.corrected"],
          includeText: true,
        });
        expect(updated).toMatchObject({
          url: "https://other.example.com/h",
          events: ["memory.deleted", "memory.corrected"],
          includeText: true,
          description: "",
          degradedAfterMinutes: 5,
        });
        expect(updated?.updatedAt.getTime()).toBeGreaterThan(endpoint.updatedAt.getTime());
        expect(await f.endpoints.update(globex, endpoint.id, { enabled: false })).toBeUndefined();
        expect(await f.endpoints.update(acme, "nope", { enabled: false })).toBeUndefined();
        expect((await f.endpoints.get(acme, endpoint.id))?.enabled).toBe(true);
      });

      it("deletes an endpoint with its deliveries, only for its tenant", async () => {
        const [acme, globex] = [f.tenant(), f.tenant()];
        const { endpoint } = await f.endpoints.create(acme, settings());
        await f.deliveries.enqueue([delivery(endpoint.id, acme)]);
        expect(await f.endpoints.delete(globex, endpoint.id)).toBe(false);
        expect(await f.endpoints.delete(acme, endpoint.id)).toBe(true);
        expect(await f.endpoints.delete(acme, endpoint.id)).toBe(false);
        expect(await f.endpoints.get(acme, endpoint.id)).toBeUndefined();
        expect(await f.deliveries.list(acme, endpoint.id, { limit: 10 })).toEqual([]);
        expect(await f.deliveries.claim(10, 60_000)).toEqual([]);
      });

      it("rotates the secret; the old one still signs until it expires", async () => {
        const tenant = f.tenant();
        const { endpoint, secret: first } = await f.endpoints.create(tenant, settings());
        const until = new Date(Date.now() + 3_600_000);
        const rotated = await f.endpoints.rotateSecret(tenant, endpoint.id, until);
        expect(rotated?.secret).toMatch(secretFormat);
        expect(rotated?.secret).not.toBe(first);
        expect(rotated?.endpoint.previousSecretExpiresAt).toEqual(until);
        expect((await f.endpoints.signing([endpoint.id])).get(endpoint.id)?.secrets).toEqual([
          rotated?.secret,
          first,
        ]);
        const again = await f.endpoints.rotateSecret(tenant, endpoint.id, new Date(Date.now() - 1000));
        expect(again?.endpoint.previousSecretExpiresAt).toBeNull();
        expect((await f.endpoints.signing([endpoint.id])).get(endpoint.id)?.secrets).toEqual([again?.secret]);
        expect(await f.endpoints.rotateSecret(f.tenant(), endpoint.id, until)).toBeUndefined();
      });

      it("finds the enabled endpoints subscribed to an event, of a tenant or of all", async () => {
        const [acme, globex] = [f.tenant(), f.tenant()];
        const a = (await f.endpoints.create(acme, settings({ events: ["tier.degraded", "user.erased"] })))
          .endpoint;
        await f.endpoints.create(acme, settings({ events: ["tier.degraded"], enabled: false }));
        await f.endpoints.create(acme, settings({ events: ["user.erased"] }));
        const c = (await f.endpoints.create(globex, settings({ events: ["tier.degraded"] }))).endpoint;
        expect((await f.endpoints.subscribers("tier.degraded", acme)).map((e) => e.id)).toEqual([a.id]);
        const all = (await f.endpoints.subscribers("tier.degraded")).map((e) => e.id);
        expect(all).toEqual(expect.arrayContaining([a.id, c.id]));
        expect(all).toHaveLength(2);
        expect(await f.endpoints.subscribers("import.failed", acme)).toEqual([]);
      });

      it("records attempts: a success ends the streak; a long enough streak disables the endpoint once", async () => {
        const tenant = f.tenant();
        const { endpoint } = await f.endpoints.create(tenant, settings());
        const rule = { afterFailures: 3, afterMs: 0 };
        const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
        expect(
          await f.endpoints.recordAttempt(
            endpoint.id,
            { ok: false, at: at(1), responseStatus: 500, error: "HTTP 500" },
            rule,
          ),
        ).toBe(false);
        expect(
          await f.endpoints.recordAttempt(endpoint.id, { ok: true, at: at(2), responseStatus: 204 }, rule),
        ).toBe(false);
        let health = (await f.endpoints.get(tenant, endpoint.id))?.health;
        expect(health).toEqual({
          lastAttemptAt: at(2),
          lastStatus: "delivered",
          lastResponseStatus: 204,
          lastError: null,
          failureStreak: 0,
          failingSince: null,
        });
        expect(
          await f.endpoints.recordAttempt(endpoint.id, { ok: false, at: at(3), error: "timeout" }, rule),
        ).toBe(false);
        expect(
          await f.endpoints.recordAttempt(endpoint.id, { ok: false, at: at(4), error: "timeout" }, rule),
        ).toBe(false);
        health = (await f.endpoints.get(tenant, endpoint.id))?.health;
        expect(health).toMatchObject({
          lastStatus: "failed",
          lastError: "timeout",
          failureStreak: 2,
          failingSince: at(3),
        });
        expect(
          await f.endpoints.recordAttempt(endpoint.id, { ok: false, at: at(5), error: "timeout" }, rule),
        ).toBe(true);
        const disabled = await f.endpoints.get(tenant, endpoint.id);
        expect(disabled?.enabled).toBe(false);
        expect(disabled?.disabledReason).toMatch(/3 failed attempts in a row since 2026-01-01T00:00:03Z/);
        expect(
          await f.endpoints.recordAttempt(endpoint.id, { ok: false, at: at(6), error: "timeout" }, rule),
        ).toBe(false);
        const enabled = await f.endpoints.update(tenant, endpoint.id, { enabled: true });
        expect(enabled).toMatchObject({
          enabled: true,
          disabledReason: null,
          health: { failureStreak: 0, failingSince: null },
        });
      });

      it("disables only once the streak is old enough", async () => {
        const tenant = f.tenant();
        const { endpoint } = await f.endpoints.create(tenant, settings());
        const rule = { afterFailures: 2, afterMs: 60_000 };
        const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, s));
        await f.endpoints.recordAttempt(endpoint.id, { ok: false, at: at(0) }, rule);
        expect(await f.endpoints.recordAttempt(endpoint.id, { ok: false, at: at(30) }, rule)).toBe(false);
        expect(await f.endpoints.recordAttempt(endpoint.id, { ok: false, at: at(61) }, rule)).toBe(true);
        const never = (await f.endpoints.create(tenant, settings())).endpoint;
        for (let s = 0; s < 5; s++)
          expect(
            await f.endpoints.recordAttempt(
              never.id,
              { ok: false, at: at(s) },
              { afterFailures: 0, afterMs: 0 },
            ),
          ).toBe(false);
      });
    });

    describe("deliveries", () => {
      it("claims due deliveries of enabled endpoints with a lease, counting attempts", async () => {
        const tenant = f.tenant();
        const on = (await f.endpoints.create(tenant, settings())).endpoint;
        const off = (await f.endpoints.create(tenant, settings({ enabled: false }))).endpoint;
        const [first] = await f.deliveries.enqueue([
          delivery(on.id, tenant, { eventType: "memory.deleted", payload: '{"a":1}' }),
        ]);
        await f.deliveries.enqueue([delivery(off.id, tenant)]);
        const claimed = await f.deliveries.claim(10, 200);
        expect(claimed).toEqual([
          {
            id: first,
            endpointId: on.id,
            eventId: expect.stringMatching(/^msg_/),
            eventType: "memory.deleted",
            payload: '{"a":1}',
            attempts: 1,
            exchangeId: null,
          },
        ]);
        expect(await f.deliveries.claim(10, 200)).toEqual([]);
        await sleep(300);
        expect((await f.deliveries.claim(10, 60_000)).map((c) => [c.id, c.attempts])).toEqual([[first, 2]]);
        await f.endpoints.update(tenant, off.id, { enabled: true });
        expect((await f.deliveries.claim(10, 60_000)).map((c) => c.endpointId)).toEqual([off.id]);
      });

      it("claims only the deliveries asked for", async () => {
        const tenant = f.tenant();
        const { endpoint } = await f.endpoints.create(tenant, settings());
        const [a, b] = await f.deliveries.enqueue([
          delivery(endpoint.id, tenant),
          delivery(endpoint.id, tenant),
        ]);
        expect((await f.deliveries.claim(10, 60_000, { ids: [b ?? ""] })).map((c) => c.id)).toEqual([b]);
        expect(await f.deliveries.claim(10, 60_000, { ids: ["nope"] })).toEqual([]);
        expect((await f.deliveries.claim(10, 60_000)).map((c) => c.id)).toEqual([a]);
      });

      it("queues one delivery per endpoint and dedupe key", async () => {
        const tenant = f.tenant();
        const one = (await f.endpoints.create(tenant, settings())).endpoint;
        const two = (await f.endpoints.create(tenant, settings())).endpoint;
        const key = "tier.degraded:chroma:2026-01-01T00:00:00.000Z";
        expect(await f.deliveries.enqueue([delivery(one.id, tenant, { dedupeKey: key })])).toHaveLength(1);
        expect(await f.deliveries.enqueue([delivery(one.id, tenant, { dedupeKey: key })])).toEqual([]);
        expect(await f.deliveries.enqueue([delivery(two.id, tenant, { dedupeKey: key })])).toHaveLength(1);
        expect(await f.deliveries.enqueue([delivery(one.id, tenant), delivery(one.id, tenant)])).toHaveLength(
          2,
        );
      });

      it("ends an attempt delivered, due again later, or failed; lists newest first per tenant", async () => {
        const [tenant, other] = [f.tenant(), f.tenant()];
        const { endpoint } = await f.endpoints.create(tenant, settings());
        // One at a time: each is newer than the one before.
        const [ok, later, gone] = [
          ...(await f.deliveries.enqueue([delivery(endpoint.id, tenant, { eventType: "import.completed" })])),
          ...(await f.deliveries.enqueue([delivery(endpoint.id, tenant, { eventType: "import.failed" })])),
          ...(await f.deliveries.enqueue([delivery(endpoint.id, tenant, { eventType: "user.erased" })])),
        ];
        await f.deliveries.claim(10, 60_000);
        const at = new Date(Date.now() - 1000);
        await f.deliveries.delivered(ok ?? "", { ok: true, at, responseStatus: 200 });
        await f.deliveries.retry(later ?? "", new Date(Date.now() + 1500), {
          ok: false,
          at,
          responseStatus: 503,
          error: "HTTP 503",
        });
        await f.deliveries.failed(gone ?? "", { ok: false, at, error: "refused" });
        const listed = await f.deliveries.list(tenant, endpoint.id, { limit: 10 });
        expect(listed.map((d) => [d.id, d.status, d.eventType])).toEqual([
          [gone, "failed", "user.erased"],
          [later, "pending", "import.failed"],
          [ok, "delivered", "import.completed"],
        ]);
        expect(listed[0]).toMatchObject({
          attempts: 1,
          error: "refused",
          responseStatus: null,
          nextAttemptAt: null,
          deliveredAt: null,
        });
        expect(listed[1]).toMatchObject({
          attempts: 1,
          error: "HTTP 503",
          responseStatus: 503,
          lastAttemptAt: at,
        });
        expect(listed[1]?.nextAttemptAt?.getTime()).toBeGreaterThan(Date.now());
        expect(listed[2]).toMatchObject({
          error: null,
          responseStatus: 200,
          deliveredAt: at,
          payload: '{"type":"user.erased"}',
        });
        expect(await f.deliveries.claim(10, 60_000)).toEqual([]);
        await sleep(1600);
        expect((await f.deliveries.claim(10, 60_000)).map((c) => [c.id, c.attempts])).toEqual([[later, 2]]);

        const page = await f.deliveries.list(tenant, endpoint.id, { limit: 2 });
        const last = page.at(-1);
        expect(page.map((d) => d.id)).toEqual([gone, later]);
        const rest = await f.deliveries.list(tenant, endpoint.id, {
          limit: 2,
          before: last && { createdAt: last.createdAt, id: last.id },
        });
        expect(rest.map((d) => d.id)).toEqual([ok]);
        expect(
          (await f.deliveries.list(tenant, endpoint.id, { limit: 10, status: "failed" })).map((d) => d.id),
        ).toEqual([gone]);
        expect(await f.deliveries.list(other, endpoint.id, { limit: 10 })).toEqual([]);
        expect(await f.deliveries.list(tenant, "nope", { limit: 10 })).toEqual([]);
      });

      it("queues a finished delivery again, for its tenant only", async () => {
        const [tenant, other] = [f.tenant(), f.tenant()];
        const { endpoint } = await f.endpoints.create(tenant, settings());
        const [id = ""] = await f.deliveries.enqueue([delivery(endpoint.id, tenant)]);
        await f.deliveries.claim(10, 60_000);
        await f.deliveries.failed(id, { ok: false, at: new Date(), error: "HTTP 500" });
        expect(await f.deliveries.get(tenant, endpoint.id, id)).toMatchObject({
          id,
          status: "failed",
          error: "HTTP 500",
        });
        expect(await f.deliveries.get(other, endpoint.id, id)).toBeUndefined();
        expect(await f.deliveries.get(tenant, crypto.randomUUID(), id)).toBeUndefined();
        expect(await f.deliveries.redeliver(other, endpoint.id, id)).toBeUndefined();
        expect(await f.deliveries.redeliver(tenant, endpoint.id, "nope")).toBeUndefined();
        expect(await f.deliveries.redeliver(tenant, endpoint.id, id)).toMatchObject({
          id,
          status: "pending",
          attempts: 0,
        });
        expect((await f.deliveries.claim(10, 60_000)).map((c) => [c.id, c.attempts])).toEqual([[id, 1]]);
      });

      it("forgets every delivery naming a user or carrying an exchange, whatever its status", async () => {
        const tenant = f.tenant();
        const { endpoint } = await f.endpoints.create(tenant, settings());
        const exchangeId = crypto.randomUUID();
        const [done, , , kept] = await f.deliveries.enqueue([
          delivery(endpoint.id, tenant, { userId: `${tenant}/ana` }),
          delivery(endpoint.id, tenant, { userId: `${tenant}/ana`, exchangeId }),
          delivery(endpoint.id, tenant, { userId: `${tenant}/bo`, exchangeId }),
          delivery(endpoint.id, tenant, { userId: `${tenant}/bo` }),
        ]);
        await f.deliveries.claim(1, 60_000, { ids: [done ?? ""] });
        await f.deliveries.delivered(done ?? "", { ok: true, at: new Date(), responseStatus: 200 });
        expect(await f.deliveries.forgetUser(`${tenant}/ana`)).toBe(2);
        expect(await f.deliveries.forgetExchange(exchangeId)).toBe(1);
        expect(await f.deliveries.forgetExchange("nope")).toBe(0);
        expect((await f.deliveries.list(tenant, endpoint.id, { limit: 10 })).map((d) => d.id)).toEqual([
          kept,
        ]);
      });

      it("prunes finished deliveries older than a moment, never pending ones; counts pending per endpoint", async () => {
        const tenant = f.tenant();
        const one = (await f.endpoints.create(tenant, settings())).endpoint;
        const two = (await f.endpoints.create(tenant, settings())).endpoint;
        const [finished = "", waiting] = await f.deliveries.enqueue([
          delivery(one.id, tenant),
          delivery(one.id, tenant),
        ]);
        await f.deliveries.enqueue([delivery(two.id, tenant)]);
        await f.deliveries.claim(1, 60_000, { ids: [finished] });
        await f.deliveries.delivered(finished, { ok: true, at: new Date(), responseStatus: 200 });
        expect(await f.deliveries.pending()).toEqual(
          new Map([
            [one.id, 1],
            [two.id, 1],
          ]),
        );
        expect(await f.deliveries.prune(new Date(Date.now() - 60_000))).toBe(0);
        await sleep(5);
        expect(await f.deliveries.prune(new Date(Date.now() + 1000))).toBe(1);
        expect((await f.deliveries.list(tenant, one.id, { limit: 10 })).map((d) => d.id)).toEqual([waiting]);
      });
    });

    describe("tier incidents", () => {
      it("opens an incident at the first failure, keeps it through more, and ends it at a success", async () => {
        const t0 = new Date(Date.UTC(2026, 0, 1, 12, 0, 0));
        const later = (s: number) => new Date(t0.getTime() + s * 1000);
        expect(await f.incidents.observe("chroma", true, t0)).toEqual({});
        expect(await f.incidents.observe("chroma", false, t0, "unreachable")).toEqual({
          open: { tier: "chroma", startedAt: t0, lastFailedAt: t0, endedAt: null, error: "unreachable" },
        });
        expect(await f.incidents.observe("chroma", false, later(60), "timeout")).toEqual({
          open: { tier: "chroma", startedAt: t0, lastFailedAt: later(60), endedAt: null, error: "timeout" },
        });
        await f.incidents.observe("neo4j", false, later(30), "refused");
        expect((await f.incidents.open()).map((i) => [i.tier, i.startedAt])).toEqual([
          ["chroma", t0],
          ["neo4j", later(30)],
        ]);
        expect(await f.incidents.observe("chroma", true, later(90))).toEqual({
          ended: {
            tier: "chroma",
            startedAt: t0,
            lastFailedAt: later(60),
            endedAt: later(90),
            error: "timeout",
          },
        });
        expect((await f.incidents.open()).map((i) => i.tier)).toEqual(["neo4j"]);
        const next = await f.incidents.observe("chroma", false, later(120));
        expect(next.open?.startedAt).toEqual(later(120));
      });
    });
  });
}
