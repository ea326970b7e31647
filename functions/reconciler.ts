/** Scheduled Lambda: applies the outbox to the projection tiers (Redis, Chroma, Neo4j). */
import { loadConfig } from "../shared/config/index.js";
import { HierarchicalMemoryManager } from "../shared/memory/manager.js";

const memory = HierarchicalMemoryManager.fromConfig(loadConfig());

export const handler = async () => {
  await memory.ensureInitialized();
  return memory.reconcile({ batchSize: 200, maxBatches: 20 });
};
