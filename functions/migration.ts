/**
 * Task Lambdas of the migration state machine (plan, migrateGroup, finish, validate): one bundle,
 * one handler export per task. Config, stores and services are built once per container, on first use.
 */
import { loadConfigWithSecrets } from "../shared/config/secrets.js";
import { ConfigError } from "../shared/errors/memory-error.js";
import type { HierarchicalMigrationManager } from "../shared/migration/migration-manager.js";
import { migrationTasks } from "../shared/migration/tasks.js";
import { createMemory } from "../shared/runtime/create-memory.js";

let migration: Promise<HierarchicalMigrationManager> | undefined;

const tasks = migrationTasks(() => {
  migration ??= loadConfigWithSecrets()
    .then((config) => {
      const found = createMemory(config).migration;
      if (!found) throw new ConfigError(["the migration needs Postgres and a legacy Chroma URL"]);
      return found;
    })
    .catch((error: unknown) => {
      migration = undefined;
      throw error;
    });
  return migration;
});

export const { plan, migrateGroup, finish, validate } = tasks;
