/** Scheduled Lambda: applies the outbox to the projection tiers (Redis, Chroma, Neo4j). */
import { loadConfigWithSecrets } from "../shared/config/secrets.js";
import { HierarchicalMemoryManager } from "../shared/memory/manager.js";

const memory = HierarchicalMemoryManager.fromConfig(await loadConfigWithSecrets());

export const handler = async () => {
  await memory.ensureInitialized();
  const report = await memory.reconcile({ batchSize: 200, maxBatches: 20 });
  // A failure makes the invocation fail: the schedule's retries, then the dead-letter queue, see it.
  if (report.failed > 0 && report.applied === 0)
    throw new Error(`outbox: ${report.failed} projections failed, none applied (${report.errors[0]?.error})`);
  return report;
};
