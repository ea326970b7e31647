/**
 * Health and readiness tell a stranger only what is safe: each tier's status and a failure code,
 * never the driver's words (which can name hosts or quote stored data); the details go to the log.
 */
import { describe, expect, it } from "vitest";
import type { TierName } from "../../../shared/domain/tiers.js";
import type { TierProbe } from "../../../shared/tiers/probe.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";

/** Driver text a failing tier might produce: a host, and another tenant's stored words. */
const driverText = "connect ECONNREFUSED 10.0.0.7:7687 while storing 'my secret diary entry'";

const failing = (tier: TierName): TierProbe => ({
  tier,
  roundTrip: () => Promise.reject(Object.assign(new Error(driverText), { code: "ECONNREFUSED" })),
});

/** The app with `tier`'s connectivity probe failing like an unreachable server. */
const withFailing = (tier: TierName) =>
  inMemoryApi(
    {},
    { adapt: (s) => ({ ...s, probes: s.probes.map((p) => (p.tier === tier ? failing(tier) : p)) }) },
  );

interface Health {
  status: string;
  mode: string;
  tiers: { tier: string; ok: boolean; enabled: boolean; error?: string; lastError?: string }[];
  outboxBacklog: Record<string, number>;
}

describe("GET /v1/health", () => {
  it("answers 200 ok with every tier healthy and the outbox backlog", async () => {
    const res = await inMemoryApi().request("/v1/health");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Health;
    expect(body).toMatchObject({ status: "ok", mode: "durable" });
    expect(
      body.tiers
        .filter((t) => t.ok && t.enabled)
        .map((t) => t.tier)
        .sort(),
    ).toEqual(["chroma", "neo4j", "postgres", "redis"]);
    expect(body.outboxBacklog).toEqual({ redis: 0, chroma: 0, neo4j: 0 });
  });

  it("answers degraded naming a failing projection tier by code, and logs the cause", async () => {
    const api = withFailing("neo4j");
    const res = await api.request("/v1/health");
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("secret diary");
    expect(text).not.toContain("10.0.0.7");
    const body = JSON.parse(text) as Health;
    expect(body.status).toBe("degraded");
    expect(body.tiers.find((t) => t.tier === "neo4j")).toMatchObject({
      ok: false,
      error: "unreachable",
      lastError: "unreachable",
    });
    expect(api.logs.find((l) => l.message === "connectivity test failed")).toMatchObject({
      tier: "neo4j",
      cause: expect.stringContaining("ECONNREFUSED 10.0.0.7"),
    });
  });

  it("answers 503 down when the tier holding the truth fails", async () => {
    const res = await withFailing("postgres").request("/v1/health");
    expect(res.status).toBe(503);
    expect(((await res.json()) as Health).status).toBe("down");
  });
});

describe("GET /v1/ready", () => {
  it("is ready when the archive answers", async () => {
    const res = await inMemoryApi().request("/v1/ready");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true });
  });

  it("says why not with a code only", async () => {
    const res = await withFailing("postgres").request("/v1/ready");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ready: false, reason: "unreachable" });
  });

  it("in cache-only mode, depends on Redis instead", async () => {
    const res = await inMemoryApi({ HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED: "false" }).request("/v1/ready");
    expect(res.status).toBe(200);
  });
});

describe("routing", () => {
  it("answers an unknown route with a problem+json 404", async () => {
    const res = await inMemoryApi().request("/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 404, detail: "no route for GET /v1/nothing-here" });
  });
});
