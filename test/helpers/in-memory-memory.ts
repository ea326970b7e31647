/** A memory on in-memory stores (no services), with the stores kept for the test to look into. */
import { loadConfig } from "../../shared/config/index.js";
import { createMemory } from "../../shared/runtime/create-memory.js";
import { createInMemoryStores, type InMemoryOptions, type InMemoryStores } from "../in-memory/index.js";
import { recordingLogger, unreachableTiers } from "./in-memory-api.js";

export function inMemoryMemory(
  overrides: Record<string, string> = {},
  options: InMemoryOptions & { adapt?: (stores: InMemoryStores) => InMemoryStores } = {},
) {
  const config = loadConfig({ ...unreachableTiers, ...overrides });
  const built = createInMemoryStores({ recentCacheSize: config.memory.recentCacheSize, ...options });
  const stores = options.adapt ? options.adapt(built) : built;
  const { logger, lines: logs } = recordingLogger();
  const memory = createMemory(config, { stores, logger, audit: { record: () => undefined } });
  return { config, stores, memory, manager: memory.manager, logs };
}
