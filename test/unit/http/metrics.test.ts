/** With metrics on, each request emits CloudWatch EMF lines: latency per route, time per tier. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";
import { captureJsonLines } from "../../helpers/output.js";

const api = inMemoryApi({ HIERARCHICAL_MEMORY_METRICS_ENABLED: "true" });
const t = await api.tenant();
afterEach(() => vi.restoreAllMocks());

describe("request metrics", () => {
  it("emits EMF latency per route and per tier, without user data", async () => {
    const userId = uniqueId("m");
    await t.call(`/v1/users/${userId}/conversations`, {
      method: "POST",
      json: { userMessage: "secret-words", botResponse: "ok" },
    });
    const output = captureJsonLines();
    const res = await t.call(`/v1/users/${userId}/context`, {
      method: "POST",
      json: { query: "secret-words" },
    });
    expect(res.status).toBe(200);
    const emf = output().filter((m) => "_aws" in m);
    const latency = emf.find((m) => m.route === "/v1/users/:userId/context" && "latency" in m);
    expect(latency).toMatchObject({ status: "2xx", service: "hierarchical-memory" });
    expect(
      emf
        .filter((m) => "tierLatency" in m)
        .map((m) => m.tier)
        .sort(),
    ).toEqual(["chroma", "neo4j", "postgres", "redis"]);
    expect(JSON.stringify(emf)).not.toContain("secret-words");
  });
});
