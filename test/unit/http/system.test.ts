/**
 * Health and readiness tell a stranger only the status, from a cached read-only check: no write
 * probes on anonymous requests, no tier detail, no driver words. An operator key sees each tier,
 * with failures as codes; the causes go to the log.
 */
import { describe, expect, it } from "vitest";
import type { TierName } from "../../../shared/domain/tiers.js";
import type { TierProbe } from "../../../shared/tiers/probe.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";

/** Driver text a failing tier might produce: a host, and another tenant's stored words. */
const driverText = "connect ECONNREFUSED 10.0.0.7:7687 while storing 'my secret diary entry'";
const refused = () => Promise.reject(Object.assign(new Error(driverText), { code: "ECONNREFUSED" }));

/** Probes that count their calls, and fail for `failing` tiers. */
function countingProbes(probes: readonly TierProbe[], failing: TierName[] = []) {
  const calls = { roundTrip: 0, ping: 0 };
  const counted = (p: TierProbe, check: "roundTrip" | "ping") => () => {
    calls[check]++;
    return failing.includes(p.tier) ? refused() : p[check]();
  };
  const wrapped = probes.map(
    (p): TierProbe => ({ tier: p.tier, roundTrip: counted(p, "roundTrip"), ping: counted(p, "ping") }),
  );
  return { wrapped, calls };
}

function apiWith(failing: TierName[] = []) {
  let calls = { roundTrip: 0, ping: 0 };
  const api = inMemoryApi(
    {},
    {
      adapt: (s) => {
        const counted = countingProbes(s.probes, failing);
        calls = counted.calls;
        return { ...s, probes: counted.wrapped };
      },
    },
  );
  return { api, calls: () => calls };
}

interface Health {
  status: string;
  mode: string;
  tiers: { tier: string; ok: boolean; enabled: boolean; error?: string; lastError?: string }[];
  outboxBacklog: Record<string, number>;
}

describe("GET /v1/health without a key", () => {
  it("answers the status only", async () => {
    const res = await apiWith().api.request("/v1/health");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("writes nothing to any store, and checks the tiers at most once however often it is asked", async () => {
    const { api, calls } = apiWith();
    for (let i = 0; i < 20; i++) expect((await api.request("/v1/health")).status).toBe(200);
    expect(calls().roundTrip).toBe(0);
    expect(calls().ping).toBe(4);
  });

  it("says degraded or down, and nothing of why", async () => {
    const degraded = await apiWith(["neo4j"]).api.request("/v1/health");
    expect(degraded.status).toBe(200);
    expect(await degraded.text()).toBe(JSON.stringify({ status: "degraded" }));
    const down = await apiWith(["postgres"]).api.request("/v1/health");
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({ status: "down" });
  });
});

describe("GET /v1/health with an operator key", () => {
  it("shows each tier with failures as codes, and logs the cause", async () => {
    const { api, calls } = apiWith(["neo4j"]);
    const { key } = await api.keys.createAdmin("ops");
    const res = await api.request("/v1/health", {}, { authorization: `Bearer ${key}` });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain("secret diary");
    expect(text).not.toContain("10.0.0.7");
    const body = JSON.parse(text) as Health;
    expect(body).toMatchObject({ status: "degraded", mode: "durable", outboxBacklog: { redis: 0 } });
    expect(body.tiers.find((t) => t.tier === "neo4j")).toMatchObject({ ok: false, error: "unreachable" });
    expect(calls().roundTrip).toBe(4);
    expect(api.logs.find((l) => l.message === "connectivity test failed")).toMatchObject({
      tier: "neo4j",
      cause: expect.stringContaining("ECONNREFUSED 10.0.0.7"),
    });
  });

  it("gives a tenant's key the status only", async () => {
    const { api } = apiWith();
    const tenant = await api.tenant();
    expect(await (await tenant.call("/v1/health")).json()).toEqual({ status: "ok" });
  });
});

describe("GET /v1/ready", () => {
  it("is ready when the archive answers", async () => {
    const res = await apiWith().api.request("/v1/ready");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ready: true });
  });

  it("is not ready when it does not, and says nothing more", async () => {
    const res = await apiWith(["postgres"]).api.request("/v1/ready");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ ready: false });
  });

  it("in cache-only mode, depends on Redis instead", async () => {
    const res = await inMemoryApi({ HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED: "false" }).request("/v1/ready");
    expect(res.status).toBe(200);
  });
});

describe("routing", () => {
  it("answers an unknown route with a problem+json 404", async () => {
    const res = await apiWith().api.request("/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 404, detail: "no route for GET /v1/nothing-here" });
  });
});
