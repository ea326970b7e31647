/** Scheduled Lambda: applies the outbox to the projection tiers (Redis, Chroma, Neo4j) and works erase tasks. */
import { loadConfigWithSecrets } from "../shared/config/secrets.js";
import { createMemory } from "../shared/runtime/create-memory.js";

const { manager } = createMemory(await loadConfigWithSecrets());

export const handler = async () => {
  const report = await manager.reconcile({ batchSize: 200, maxBatches: 20 });
  // A failure makes the invocation fail: the schedule's retries, then the dead-letter queue, see it.
  if (report.failed > 0 && report.applied === 0)
    throw new Error(`outbox: ${report.failed} projections failed, none applied (${report.errors[0]?.error})`);
  if (report.erasures.failed > 0 && report.erasures.done === 0)
    throw new Error(`erasure: ${report.erasures.failed} erase tasks failed, none done; they are retried`);
  return report;
};
