/**
 * `npm start`: serves the app on Node. With no service URLs in the environment it first brings up
 * the local emulation (and stops it again on Ctrl-C), so one command gives a working service.
 */
import { serve } from "@hono/node-server";
import { ConfigError, loadConfig } from "../../shared/config/index.js";
import { createApp } from "../../shared/http/app.js";
import { HierarchicalMemoryManager } from "../../shared/memory/manager.js";
import { ensureLocalUp, stopLocal } from "./control.js";

const serviceUrlVars = [
  "HIERARCHICAL_MEMORY_REDIS_URL",
  "HIERARCHICAL_MEMORY_POSTGRESQL_URL",
  "HIERARCHICAL_MEMORY_CHROMADB_URL",
  "HIERARCHICAL_MEMORY_NEO4J_URI",
];

async function main() {
  const useLocal = serviceUrlVars.every((name) => !process.env[name]);
  let startedLocal = false;
  let env: Record<string, string | undefined> = process.env;
  if (useLocal) {
    console.log("No service URLs configured: using the local emulation (npm run local:up).");
    const local = await ensureLocalUp();
    startedLocal = local.started;
    env = { ...local.env, ...process.env };
  }
  const config = loadConfig(env);
  const memory = HierarchicalMemoryManager.fromConfig(config);
  for (const r of await memory.ensureInitialized())
    if (!r.ok) console.warn(`${r.tier} is not ready (${r.error}); the outbox will catch it up.`);
  const server = serve({ fetch: createApp({ config, memory }).fetch, port: config.port }, (info) =>
    console.log(`Listening on http://localhost:${info.port} (try GET /v1/health)`),
  );
  // On Node the outbox worker runs in-process; in the cloud an EventBridge schedule runs it.
  const worker = setInterval(() => memory.reconcile().catch(() => undefined), 5_000);
  const shutdown = async () => {
    clearInterval(worker);
    server.close();
    await memory.close();
    if (startedLocal) await stopLocal();
    process.exit(0);
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
