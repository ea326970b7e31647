/**
 * The migration state machine's tasks: each validates its input (zod) and calls the migration
 * manager. The Lambda handlers in functions/migration.ts and the local Step Functions runner in the
 * tests call these same functions.
 *
 * One task migrates a group of batches (`groupSize` x batch size records), so a Map over groups keeps
 * an execution's history small: about 7 events a group, far under Step Functions' 25,000.
 */
import { z } from "zod";
import type { HierarchicalMigrationManager } from "./migration-manager.js";

const legacyUserId = z.string().min(1).max(128);

export const StartInput = z
  .object({
    users: z.array(legacyUserId).min(1).max(10_000).optional(),
    batchSize: z.number().int().min(1).max(5000).optional(),
    /** Batches per task invocation. */
    groupSize: z.number().int().min(1).max(1000).default(20),
    /** Records sampled by the integrity validation at the end; 0 skips it. */
    validateSample: z.number().int().min(0).max(100_000).default(100),
    /** Continue this run instead of starting one. */
    resumeRunId: z.uuid().optional(),
  })
  .strict();

/** Projection work per Finish call, under the 15-minute Lambda limit; the state machine loops. */
const finishBudgetMs = 10 * 60_000;

const GroupInput = z.object({
  runId: z.uuid(),
  group: z.number().int().min(0),
  groupSize: z.number().int().min(1),
});
const RunInput = z.object({ runId: z.uuid() });
const ValidateInput = z.object({ runId: z.uuid(), sampleSize: z.number().int().min(1).max(100_000) });

export function migrationTasks(migration: () => Promise<HierarchicalMigrationManager>) {
  return {
    async plan(event: unknown) {
      const input = StartInput.parse(event);
      const { runId, batches } = await (await migration()).planRun(input);
      const groups = Array.from({ length: Math.ceil(batches / input.groupSize) }, (_, i) => i);
      return { runId, batches, groups, groupSize: input.groupSize, validateSample: input.validateSample };
    },
    async migrateGroup(event: unknown) {
      const { runId, group, groupSize } = GroupInput.parse(event);
      const result = await (await migration()).migrateBatchRange(
        runId,
        group * groupSize,
        (group + 1) * groupSize,
      );
      return { group, ...result };
    },
    async finish(event: unknown) {
      const { runId } = RunInput.parse(event);
      const report = await (await migration()).finishRun(runId, { budgetMs: finishBudgetMs });
      // Small enough for the state's 256 KB: counts and a few example ids per skip reason.
      return {
        runId,
        state: report.state,
        projectionsRemaining: report.projectionsRemaining,
        records: report.records,
        batches: { ...report.batches, failed: report.batches.failed.slice(0, 20) },
        pendingProjections: report.pendingProjections,
      };
    },
    async validate(event: unknown) {
      const { runId, sampleSize } = ValidateInput.parse(event);
      const integrity = await (await migration()).validateMigrationIntegrity(runId, { sampleSize });
      return { ...integrity, failures: integrity.failures.slice(0, 10) };
    },
  };
}

export type MigrationTasks = ReturnType<typeof migrationTasks>;
