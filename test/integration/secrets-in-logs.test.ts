/**
 * Secrets never reach the logs: a run with every secret setting given a recognizable value, through
 * successful requests, refused keys, a tier that fails (its client errors logged), and debug
 * logging, leaves none of those values in anything the process wrote.
 */
import { afterEach, describe, expect, inject, it, vi } from "vitest";
import { startApi } from "../helpers/api.js";
import { uniqueId } from "../helpers/memory.js";

afterEach(() => vi.restoreAllMocks());

/** Everything written to stdout, stderr and the console while `work` runs. */
async function captureAll(work: () => Promise<void>): Promise<string> {
  const chunks: string[] = [];
  const keep = (chunk: unknown) => {
    chunks.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(keep);
  vi.spyOn(process.stderr, "write").mockImplementation(keep);
  for (const method of ["log", "info", "warn", "error", "debug"] as const)
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => keep(args.map(String).join(" ")));
  await work();
  vi.restoreAllMocks();
  return chunks.join("\n");
}

const local = inject("localEnv");
const postgresUrl = new URL(local.HIERARCHICAL_MEMORY_POSTGRESQL_URL ?? "");
postgresUrl.password = "pg-secret-8f3a"; // trust auth locally: accepted, and must never be logged
const secrets = {
  HIERARCHICAL_MEMORY_POSTGRESQL_URL: postgresUrl.toString(),
  // The emulation's own (Neo4j wants it): the run stays healthy, and must not log it either.
  HIERARCHICAL_MEMORY_NEO4J_PASSWORD: local.HIERARCHICAL_MEMORY_NEO4J_PASSWORD || "neo4j-secret-51c2",
  HIERARCHICAL_MEMORY_CHROMADB_API_KEY: "chroma-secret-9d07",
  HIERARCHICAL_MEMORY_EMBEDDING_API_KEY: "embedding-secret-2b6e",
  HIERARCHICAL_MEMORY_LEGACY_CHROMADB_API_KEY: "legacy-secret-77aa",
};
const redisToken = local.HIERARCHICAL_MEMORY_REDIS_PASSWORD ?? "";

describe("logs of a whole run", () => {
  it("hold no secret value, not even when a tier's client fails", { timeout: 60_000 }, async () => {
    const output = await captureAll(async () => {
      const healthy = await startApi({ ...secrets, LOG_LEVEL: "debug" });
      const brokenRedis = await startApi({
        ...secrets,
        LOG_LEVEL: "debug",
        HIERARCHICAL_MEMORY_REDIS_URL: "http://127.0.0.1:9",
        HIERARCHICAL_MEMORY_REDIS_PASSWORD: "redis-secret-c4e1",
      });
      for (const api of [healthy, brokenRedis]) {
        const t = await api.tenant();
        const userId = uniqueId("secrets");
        await t.call(`/v1/users/${userId}/conversations`, {
          method: "POST",
          json: { userMessage: "hello", botResponse: "hi" },
        });
        await t.call(`/v1/users/${userId}/context`, { method: "POST", json: { query: "hello" } });
        await t.call("/v1/health");
        await fetch(`${api.base}/v1/users/${userId}/context`, {
          method: "POST",
          headers: { authorization: "Bearer hm_wrong_key", "content-type": "application/json" },
          body: "{}",
        });
        await api.manager.testTierConnectivity(1_000);
      }
    });
    expect(output.length).toBeGreaterThan(0);
    for (const value of [
      ...Object.values(secrets).slice(1),
      "pg-secret-8f3a",
      redisToken,
      "redis-secret-c4e1",
    ])
      expect(output, `a secret (${value.slice(0, 6)}...) was written`).not.toContain(value);
  });
});
