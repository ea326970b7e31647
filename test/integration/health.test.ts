/** GET /v1/health on the real app (app.request: no server), against the emulated stores. */
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../infra/local/process-utils.js";
import { createApp } from "../../shared/http/app.js";
import { createTierClients } from "../../shared/tiers/index.js";
import { testConfig } from "../helpers/config.js";

const config = testConfig();
const tiers = createTierClients(config);
const app = createApp({ config, tiers });
afterAll(() => tiers.close());

describe("GET /v1/health", () => {
  it("answers 200 with every tier healthy", async () => {
    const res = await app.request("/v1/health");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; tiers: { tier: string; ok: boolean }[] };
    expect(body.status, JSON.stringify(body)).toBe("ok");
    expect(
      body.tiers
        .filter((t) => t.ok)
        .map((t) => t.tier)
        .sort(),
    ).toEqual(["chroma", "neo4j", "postgres", "redis"]);
  });

  it("answers degraded when a projection tier is unreachable", async () => {
    const broken = testConfig({ HIERARCHICAL_MEMORY_NEO4J_URI: `bolt://127.0.0.1:${await freePort()}` });
    const brokenTiers = createTierClients(broken);
    try {
      const res = await createApp({ config: broken, tiers: brokenTiers }).request("/v1/health");
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: string; tiers: { tier: string; ok: boolean }[] };
      expect(body.status).toBe("degraded");
      expect(body.tiers.find((t) => t.tier === "neo4j")?.ok).toBe(false);
    } finally {
      await brokenTiers.close();
    }
  });

  it("answers an unknown route with a problem+json 404", async () => {
    const res = await app.request("/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 404, detail: "No route for GET /v1/nothing-here" });
  });
});
