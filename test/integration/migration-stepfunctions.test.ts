/**
 * The migration state machine exactly as CDK synthesizes it, run locally (aws-local-stepfunctions)
 * with the real task functions against the emulated stores.
 */
import { describe, expect, it } from "vitest";
import { migrationDefinition, synthTemplate } from "../../infra/cdk/synth.js";
import { legacyRecords } from "../../infra/local/legacy-fixture.js";
import { type LocalTaskHandlers, runStateMachineLocally } from "../../infra/local/stepfunctions.js";
import { migrationTasks } from "../../shared/migration/tasks.js";
import { createTestMemory, expectProjectionMatchesArchive, uniqueId } from "../helpers/memory.js";
import { legacyStore, migrator, tenantCounts } from "../helpers/migration.js";

const legacy = await legacyStore();
const definition = migrationDefinition(synthTemplate());

async function setUp(label: string) {
  const tenant = uniqueId(label);
  const memory = await createTestMemory({ HIERARCHICAL_MEMORY_MIGRATION_TENANT: tenant });
  const migration = migrator(memory, legacy.source);
  const tasks = migrationTasks(async () => migration);
  const expected = await migration.migrateAllConversations({ dryRun: true });
  const handlers = (migrateGroup: LocalTaskHandlers[string]): LocalTaskHandlers => ({
    Plan: tasks.plan,
    MigrateGroup: migrateGroup,
    Finish: tasks.finish,
    Validate: tasks.validate,
  });
  const expectExactlyMigrated = async () => {
    const counts = await tenantCounts(memory, tenant);
    expect(counts.exchanges).toBe(expected.records.migrated);
    expect(counts.outbox).toBe(0);
    const users = await memory
      .raw()
      .pg.query<{ id: string }>("SELECT id FROM users WHERE id LIKE $1", [`${tenant}/%`]);
    for (const { id } of users?.rows ?? [])
      for (const tier of memory.manager.projections) await expectProjectionMatchesArchive(memory, tier, id);
  };
  return { tenant, memory, migration, tasks, handlers, expectExactlyMigrated };
}

describe("migration state machine (synthesized from CDK, run locally)", () => {
  it("has the states the deployment relies on", () => {
    const states = (definition as { States: Record<string, { Type: string }> }).States;
    expect(Object.keys(states)).toEqual(
      expect.arrayContaining([
        "Plan",
        "EachGroup",
        "Finish",
        "AllBatchesCommitted",
        "Validate",
        "RolledBack",
      ]),
    );
    expect(states.EachGroup?.Type).toBe("Map");
  });

  it("retries a group whose task died after committing part of it, and ends validated with no duplicate", async () => {
    await legacy.fill(legacyRecords(300, 31));
    const { migration, tasks, handlers, expectExactlyMigrated } = await setUp("sfn");
    const attempts = new Map<number, number>();
    const result = (await runStateMachineLocally(
      definition,
      handlers(async (input) => {
        const { runId, group, groupSize } = input as { runId: string; group: number; groupSize: number };
        const n = (attempts.get(group) ?? 0) + 1;
        attempts.set(group, n);
        if (group === 1 && n === 1) {
          // The first batch of the group commits, then the Lambda dies.
          await migration.migrateBatchRange(runId, group * groupSize, group * groupSize + 1);
          throw new Error("Task timed out after 900.00 seconds");
        }
        return tasks.migrateGroup(input);
      }),
      { batchSize: 25, groupSize: 3, validateSample: 60 },
    )) as { report: { state: string }; integrity: { score: number; passed: boolean } };

    expect(attempts.get(1)).toBe(2);
    expect(result.report.state).toBe("completed");
    expect(result.integrity).toMatchObject({ score: 1, passed: true });
    await expectExactlyMigrated();
  });

  it("fails an execution whose group keeps failing, and a second execution resumes that run to the end", async () => {
    await legacy.fill(legacyRecords(240, 37));
    const { tenant, memory, tasks, handlers, expectExactlyMigrated } = await setUp("sfn-resume");
    const broken = runStateMachineLocally(
      definition,
      handlers(async (input) => {
        if ((input as { group: number }).group === 2) throw new Error("legacy store unreachable");
        return tasks.migrateGroup(input);
      }),
      { batchSize: 20, groupSize: 2, validateSample: 40 },
    );
    await expect(broken).rejects.toThrow(/Some batches failed; start an execution with \{"resumeRunId"/);
    const { rows } = (await memory
      .raw()
      .pg.query<{ id: string; state: string }>(
        "SELECT id, state FROM migration_runs WHERE options->>'tenant' = $1",
        [tenant],
      )) ?? { rows: [] };
    expect(rows).toEqual([{ id: expect.any(String), state: "failed" }]);
    const partial = (await tenantCounts(memory, tenant)).exchanges;
    expect(partial).toBeGreaterThan(0);

    const resumed = (await runStateMachineLocally(definition, handlers(tasks.migrateGroup), {
      resumeRunId: rows[0]?.id,
      validateSample: 40,
    })) as { plan: { runId: string }; integrity: { passed: boolean } };
    expect(resumed.plan.runId).toBe(rows[0]?.id);
    expect(resumed.integrity.passed).toBe(true);
    await expectExactlyMigrated();
  });
});
