/**
 * `npm start`: serves the app on Node. With no service URLs in the environment it first brings up
 * the local emulation (and stops it again on Ctrl-C), so one command gives a working service.
 * Start-up prepares the tiers (schema migrations included), as a deploy does in the cloud.
 */
import { type Command, parseCommandLine, runMain } from "../cli/run-cli.js";

const command = {
  name: "start",
  usage: ["npm start"],
  about: `
Serves the memory (REST API, MCP at /mcp, the operator console at /console) on Node at
http://$HOST:$PORT (127.0.0.1:8787 by default: this machine only). Start-up prepares every tier (Postgres schema migrations, the Chroma collections,
Neo4j constraints; a projection tier that is not ready is reported and caught up by the outbox), and the
outbox worker runs in-process every 5 s. Ctrl-C (SIGINT) or SIGTERM stops it, and the local emulation too
if this start brought it up. It takes no flags: everything is configured by the environment.`,
  options: {},
  notes: `
Environment (every setting, its default and meaning: template.env):
  PORT                                    the port to listen on (default: 8787)
  HOST                                    the address to listen on (default: 127.0.0.1; 0.0.0.0
                                          opens it to the network)
  LOG_LEVEL                               debug, info, warn or error (default: info)
  HIERARCHICAL_MEMORY_REDIS_URL, _POSTGRESQL_URL, _CHROMADB_URL, _NEO4J_URI (and their passwords)
                                          the stores; with none of the four set, the local emulation
                                          is used (npm run local:up), brought up first if needed
  HIERARCHICAL_MEMORY_{REDIS,POSTGRESQL,CHROMADB,NEO4J}_ENABLED
                                          turn a tier off (default: true)

Exit status: 0 after a clean stop; 1 an invalid configuration, or Postgres could not be prepared; 2 for
a usage error (any argument).`,
} satisfies Command;

parseCommandLine(command);

runMain(command, async () => {
  const [
    { serve },
    { createApp },
    { loadConfig },
    { describeError },
    { createMemory },
    { stopLocal },
    { resolveEnv },
  ] = await Promise.all([
    import("@hono/node-server"),
    import("../../shared/app/create-app.js"),
    import("../../shared/config/index.js"),
    import("../../shared/errors/memory-error.js"),
    import("../../shared/runtime/create-memory.js"),
    import("./control.js"),
    import("./resolve-env.js"),
  ]);
  const { env, startedLocal } = await resolveEnv();
  const config = loadConfig(env);
  const memory = createMemory(config);
  for (const r of await memory.manager.initializeTiers())
    if (!r.ok) console.warn(`${r.tier} is not ready (${r.error}); the outbox will catch it up.`);
  const server = serve(
    { fetch: createApp(memory).fetch, port: config.port, hostname: config.host },
    (info) => {
      const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
      console.log(`Listening on http://${host}:${info.port} (try GET /v1/health)`);
    },
  );
  // On Node the outbox worker runs in-process; in the cloud an EventBridge schedule runs it.
  const worker = setInterval(
    () =>
      memory.manager
        .reconcile()
        .catch((error: unknown) =>
          memory.logger.warn("outbox worker failed", { cause: describeError(error) }),
        ),
    5_000,
  );
  // Serves until a signal; then stops everything it started and exits 0.
  await new Promise<void>((resolve) => {
    process.on("SIGINT", () => resolve());
    process.on("SIGTERM", () => resolve());
  });
  clearInterval(worker);
  server.close();
  // Stores' background projections finish rather than fail on closed clients (their outbox rows
  // would stay due anyway); a hung tier does not hold the exit for long.
  await Promise.race([memory.manager.projectionsIdle(), new Promise((r) => setTimeout(r, 5_000).unref())]);
  await memory.close();
  if (startedLocal) await stopLocal();
  return 0;
});
