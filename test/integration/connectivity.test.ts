/** testTierConnectivity against every real tier, and against a tier that is not there. */
import { afterAll, describe, expect, it } from "vitest";
import { freePort } from "../../infra/local/process-utils.js";
import { chromaProbe, createChromaClient } from "../../shared/tiers/chroma/client.js";
import { testTierConnectivity } from "../../shared/tiers/connectivity.js";
import { createStores } from "../../shared/tiers/index.js";
import { testConfig } from "../helpers/config.js";

const config = testConfig();
const stores = createStores(config);
afterAll(() => stores.close());

describe("testTierConnectivity", () => {
  it("reports all four tiers healthy with a latency", async () => {
    const results = await testTierConnectivity(stores.probes);
    expect(results.map((r) => r.tier).sort()).toEqual(["chroma", "neo4j", "postgres", "redis"]);
    for (const result of results) {
      expect(result, JSON.stringify(result)).toMatchObject({ ok: true });
      expect(result.latencyMs).toBeGreaterThan(0);
      expect(result.error).toBeUndefined();
    }
  });

  it("reports a tier that is not listening as unreachable, and hands the cause to the caller", async () => {
    const port = await freePort();
    const missing = createChromaClient({ ...config.chroma, url: `http://127.0.0.1:${port}` });
    const causes: unknown[] = [];
    const [result] = await testTierConnectivity(
      [chromaProbe(missing, `http://127.0.0.1:${port}`)],
      2000,
      (_, e) => causes.push(e),
    );
    expect(result).toMatchObject({ tier: "chroma", ok: false, error: "unreachable" });
    expect(String(causes[0])).toMatch(/cannot reach Chroma at 127\.0\.0\.1/);
  });

  it("bounds a tier that never answers by the timeout", async () => {
    const never = () => new Promise<void>(() => undefined);
    const hanging = { tier: "neo4j" as const, roundTrip: never, ping: never };
    const [result] = await testTierConnectivity([hanging], 200);
    expect(result).toMatchObject({ tier: "neo4j", ok: false, error: "timeout" });
  });
});
