/**
 * Deploy-time Lambda (a CDK trigger): prepares every tier before the new code takes traffic: the
 * Postgres schema migrations, the Chroma collection, the Neo4j constraints. Requests never do this.
 */
import { loadConfigWithSecrets } from "../shared/config/secrets.js";
import { createMemory } from "../shared/runtime/create-memory.js";

export const handler = async () => {
  const memory = createMemory(await loadConfigWithSecrets());
  try {
    // Throws when Postgres cannot be prepared (the deployment fails); other tiers are reported.
    return await memory.manager.initializeTiers();
  } finally {
    await memory.close();
  }
};
