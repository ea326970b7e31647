/**
 * `npm start`: serves the app on Node. With no service URLs in the environment it first brings up
 * the local emulation (and stops it again on Ctrl-C), so one command gives a working service.
 */
import { serve } from "@hono/node-server";
import { ConfigError, loadConfig } from "../../shared/config/index.js";
import { createApp } from "../../shared/http/app.js";
import { createTierClients } from "../../shared/tiers/index.js";
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
  const tiers = createTierClients(config);
  const server = serve({ fetch: createApp({ config, tiers }).fetch, port: config.port }, (info) =>
    console.log(`Listening on http://localhost:${info.port} (try GET /v1/health)`),
  );
  const shutdown = async () => {
    server.close();
    await tiers.close();
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
