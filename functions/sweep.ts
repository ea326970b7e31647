/**
 * Scheduled Lambda (daily): erases from Redis, Chroma and Neo4j the data of users the archive does
 * not have, however it got there (a failure no erase task knew of, a bug). Counts go to the log.
 */
import { loadConfigWithSecrets } from "../shared/config/secrets.js";
import { createMemory } from "../shared/runtime/create-memory.js";

const memory = createMemory(await loadConfigWithSecrets());

export const handler = async () => {
  const swept = await memory.manager.sweepOrphans();
  memory.logger.info("orphan sweep", { swept });
  return swept;
};
