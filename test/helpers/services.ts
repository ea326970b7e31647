/**
 * Private instances of a tier's service that a test may stop and restart (never the shared ones),
 * on a fixed free port so clients reconnect to the same URL.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, stopChild } from "../../infra/local/process-utils.js";
import { startChroma } from "../../infra/local/services/chroma.js";
import { newSecret } from "../../infra/local/services/guard.js";
import { startNeo4j } from "../../infra/local/services/neo4j.js";
import { startNeonBridge } from "../../infra/local/services/neon-bridge.js";
import { pgHost, pgPort } from "../../infra/local/services/postgres.js";
import { startRedis } from "../../infra/local/services/redis.js";
import { startUpstashBridge } from "../../infra/local/services/upstash-bridge.js";

export interface Stoppable {
  /** Env overrides that point the app at this instance. */
  env: Record<string, string>;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** A child-process service restarted with the same data directory and port, so its URL stays valid. */
async function restartable<T extends { child: ChildProcess }>(
  prefix: string,
  launch: (dir: string, port: number) => Promise<T>,
  env: (running: T) => Record<string, string>,
): Promise<Stoppable> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const port = await freePort();
  let running = await launch(dir, port);
  return {
    env: env(running),
    stop: () => stopChild(running.child),
    start: async () => {
      running = await launch(dir, port);
    },
    close: () => stopChild(running.child),
  };
}

export const privateChroma = () =>
  restartable("hm-chroma-", startChroma, (r) => ({ HIERARCHICAL_MEMORY_CHROMADB_URL: r.url }));

/** Restarted with the same password, which the clients already have. */
export function privateNeo4j(): Promise<Stoppable> {
  const password = newSecret();
  return restartable(
    "hm-neo4j-",
    (dir, port) => startNeo4j(dir, port, password),
    (r) => ({
      HIERARCHICAL_MEMORY_NEO4J_URI: r.uri,
      HIERARCHICAL_MEMORY_NEO4J_USER: r.user,
      HIERARCHICAL_MEMORY_NEO4J_PASSWORD: r.password,
    }),
  );
}

/** A private redis-server behind its own Upstash REST bridge; stop() kills redis, not the bridge. */
export async function privateRedis(): Promise<Stoppable> {
  const dir = mkdtempSync(join(tmpdir(), "hm-redis-"));
  const port = await freePort();
  let redis = await startRedis(dir, port);
  const bridge = await startUpstashBridge({ redisUrl: redis.url, token: "test-token" });
  return {
    env: { HIERARCHICAL_MEMORY_REDIS_URL: bridge.url, HIERARCHICAL_MEMORY_REDIS_PASSWORD: bridge.token },
    stop: () => stopChild(redis.child),
    start: async () => {
      redis = await startRedis(dir, port);
    },
    close: async () => {
      await bridge.close();
      await stopChild(redis.child);
    },
  };
}

/**
 * Postgres cannot be stopped (it is shared): its own Neon WebSocket bridge is what goes away. It
 * comes back on the same port with the same token, so its URL stays valid.
 */
export async function privatePostgresRoute(): Promise<Stoppable> {
  const port = await freePort();
  const token = newSecret();
  let bridge = await startNeonBridge({ pgHost, pgPort, port, token });
  return {
    env: { HIERARCHICAL_MEMORY_POSTGRESQL_WS_PROXY: bridge.wsProxy },
    stop: () => bridge.close(),
    start: async () => {
      bridge = await startNeonBridge({ pgHost, pgPort, port, token });
    },
    close: () => bridge.close(),
  };
}
