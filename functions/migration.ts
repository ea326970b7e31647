/**
 * Task Lambdas of the migration state machine (plan, migrateGroup, finish, validate): one bundle,
 * one handler export per task. Config and clients are created once per container, on first use.
 */
import { loadConfigWithSecrets } from "../shared/config/secrets.js";
import { HierarchicalMemoryManager } from "../shared/memory/manager.js";
import { HierarchicalMigrationManager } from "../shared/migration/migration-manager.js";
import { migrationTasks } from "../shared/migration/tasks.js";

let migration: Promise<HierarchicalMigrationManager> | undefined;

const tasks = migrationTasks(() => {
  migration ??= (async () => {
    const config = await loadConfigWithSecrets();
    const memory = HierarchicalMemoryManager.fromConfig(config);
    await memory.ensureInitialized();
    return HierarchicalMigrationManager.fromConfig(config, memory);
  })().catch((error: unknown) => {
    migration = undefined;
    throw error;
  });
  return migration;
});

export const { plan, migrateGroup, finish, validate } = tasks;
