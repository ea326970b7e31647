/**
 * Task Lambdas of the import state machine (plan, importGroup, finish, fail): one bundle, one handler
 * export per task. Config, stores and services are built once per container, on first use.
 */
import { loadConfigWithSecrets } from "../shared/config/secrets.js";
import { ConfigError } from "../shared/errors/memory-error.js";
import type { ImportManager } from "../shared/import/import-manager.js";
import { importTasks } from "../shared/import/tasks.js";
import { createMemory } from "../shared/runtime/create-memory.js";

let imports: Promise<ImportManager> | undefined;

const tasks = importTasks(() => {
  imports ??= loadConfigWithSecrets()
    .then((config) => {
      const found = createMemory(config).imports;
      if (!found) throw new ConfigError(["bulk imports need Postgres"]);
      return found;
    })
    .catch((error: unknown) => {
      imports = undefined;
      throw error;
    });
  return imports;
});

export const { plan, importGroup, finish, fail } = tasks;
