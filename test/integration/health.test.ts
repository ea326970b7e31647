/** GET /v1/health on the real app (app.request: no server), against the emulated stores. */
import { describe, expect, it } from "vitest";
import { freePort } from "../../infra/local/process-utils.js";
import { createApp } from "../../shared/http/app.js";
import { createTestManager } from "../helpers/memory.js";

interface Health {
  status: string;
  mode: string;
  tiers: { tier: string; ok: boolean; enabled: boolean; latencyMs: number }[];
  outboxBacklog: Record<string, number>;
}

describe("GET /v1/health", () => {
  it("answers 200 with every tier healthy", async () => {
    const memory = await createTestManager();
    const res = await createApp({ config: memory.config, memory }).request("/v1/health");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Health;
    expect(body.status, JSON.stringify(body)).toBe("ok");
    expect(body.mode).toBe("durable");
    expect(
      body.tiers
        .filter((t) => t.ok && t.enabled)
        .map((t) => t.tier)
        .sort(),
    ).toEqual(["chroma", "neo4j", "postgres", "redis"]);
    expect(body.outboxBacklog).toMatchObject({ redis: expect.any(Number) });
  });

  it("answers degraded when a projection tier is unreachable", async () => {
    const memory = await createTestManager({
      HIERARCHICAL_MEMORY_NEO4J_URI: `bolt://127.0.0.1:${await freePort()}`,
    });
    const res = await createApp({ config: memory.config, memory }).request("/v1/health");
    expect(res.status).toBe(200);
    const body = (await res.json()) as Health;
    expect(body.status).toBe("degraded");
    expect(body.tiers.find((t) => t.tier === "neo4j")?.ok).toBe(false);
  });

  it("answers an unknown route with a problem+json 404", async () => {
    const memory = await createTestManager();
    const res = await createApp({ config: memory.config, memory }).request("/v1/nothing-here");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await res.json()).toMatchObject({ status: 404, detail: "no route for GET /v1/nothing-here" });
  });
});
