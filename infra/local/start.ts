/**
 * `npm start`: serves the app on Node. With no service URLs in the environment it first brings up
 * the local emulation (and stops it again on Ctrl-C), so one command gives a working service.
 */
import { serve } from "@hono/node-server";
import { ConfigError, loadConfig } from "../../shared/config/index.js";
import { createApp } from "../../shared/http/app.js";
import { HierarchicalMemoryManager } from "../../shared/memory/manager.js";
import { stopLocal } from "./control.js";
import { resolveEnv } from "./resolve-env.js";

async function main() {
  const { env, startedLocal } = await resolveEnv();
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
