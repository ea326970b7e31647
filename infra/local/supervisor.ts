/**
 * The long-running parent of the local emulation, started detached by `npm run local:up`.
 * It brings up every service, writes .local/env and .local/state.json, and on SIGTERM/SIGINT
 * stops every child it started. Children also exit by themselves if this process dies.
 * Every service listens on 127.0.0.1 only; the bridges and Neo4j want a secret made for this start
 * (the Upstash token, the Neon bridge's path, the Neo4j password), which only .local/env (mode 600)
 * holds (see services/guard.ts). The emulation embeds with the local model (e5-small-v2), fetched
 * here once if its files are missing.
 */
import { rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { defaultLocalModel, localModels } from "../../shared/config/local-models.js";
import { fetchModel } from "../cli/model-files.js";
import { writeEnvFile } from "./env-file.js";
import { envFile, localDir, stateFile } from "./paths.js";
import { stopChild } from "./process-utils.js";
import { startChroma } from "./services/chroma.js";
import { newSecret } from "./services/guard.js";
import { startNeo4j } from "./services/neo4j.js";
import { startNeonBridge } from "./services/neon-bridge.js";
import { ensureDatabase, ensurePostgres, pgHost, pgPort } from "./services/postgres.js";
import { ensureRedis } from "./services/redis.js";
import { startUpstashBridge } from "./services/upstash-bridge.js";
import { readVersions } from "./versions.js";

export const appDatabase = "hierarchical_memory";

async function main() {
  const started = performance.now();
  const stops: (() => Promise<void>)[] = [];
  let stopping = false;
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    rmSync(stateFile, { force: true });
    rmSync(envFile, { force: true });
    await Promise.allSettled(stops.reverse().map((stop) => stop()));
    process.exit(code);
  };
  for (const signal of ["SIGTERM", "SIGINT", "SIGHUP"] as const) process.on(signal, () => stopAll(0));

  try {
    await ensurePostgres();
    const redis = await ensureRedis(localDir);
    const redisChild = redis.child;
    if (redisChild) stops.push(() => stopChild(redisChild));
    const neon = await startNeonBridge({ pgHost, pgPort });
    stops.push(neon.close);
    const upstash = await startUpstashBridge({ redisUrl: redis.url, token: newSecret() });
    stops.push(upstash.close);
    const [chroma, neo4j] = await Promise.all([
      startChroma(join(localDir, "chroma")),
      startNeo4j(join(localDir, "neo4j")),
      fetchModel(localModels[defaultLocalModel]),
    ]);
    stops.push(
      () => stopChild(chroma.child),
      () => stopChild(neo4j.child),
    );
    const postgresUrl = await ensureDatabase(neon.wsProxy, appDatabase);

    const env = {
      HIERARCHICAL_MEMORY_REDIS_URL: upstash.url,
      HIERARCHICAL_MEMORY_REDIS_PASSWORD: upstash.token,
      HIERARCHICAL_MEMORY_POSTGRESQL_URL: postgresUrl,
      HIERARCHICAL_MEMORY_POSTGRESQL_WS_PROXY: neon.wsProxy,
      HIERARCHICAL_MEMORY_POSTGRESQL_SECURE_WEBSOCKET: "false",
      HIERARCHICAL_MEMORY_CHROMADB_URL: chroma.url,
      HIERARCHICAL_MEMORY_CHROMADB_PATH: join(localDir, "chroma"),
      HIERARCHICAL_MEMORY_NEO4J_URI: neo4j.uri,
      HIERARCHICAL_MEMORY_NEO4J_USER: neo4j.user,
      HIERARCHICAL_MEMORY_NEO4J_PASSWORD: neo4j.password,
      HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER: "local",
      HM_LOCAL_REDIS_URL: redis.url,
    };
    writeEnvFile(env);
    const versions = await readVersions(env);
    const startupMs = Math.round(performance.now() - started);
    const state = { pid: process.pid, startedAt: new Date().toISOString(), startupMs, versions };
    writeFileSync(stateFile, `${JSON.stringify(state, null, 2)}\n`);
    console.log(`[local] ready in ${startupMs} ms`, JSON.stringify(versions));
  } catch (error) {
    console.error("[local] start-up failed:", error);
    await stopAll(1);
  }
}

await main();
