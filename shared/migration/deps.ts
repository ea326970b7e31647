/** What the migration works with: the memory's stores and services, the run store and the legacy source. */
import type { Config } from "../config/index.js";
import type { ProjectionService } from "../memory/projection/service.js";
import type { MemoryEvents } from "../memory/webhooks/memory-events.js";
import type { EntityExtractor } from "../processing/index.js";
import type { Erasures } from "../tiers/erasures.js";
import type { LegacySource } from "../tiers/legacy-source.js";
import type { MigrationRunStore } from "../tiers/migration-runs.js";
import type { MemoryStores } from "../tiers/stores.js";
import type { Logger } from "../util/logger.js";

export interface MigrationDeps {
  runs: MigrationRunStore;
  /** Tombstones: an erased user is never migrated again. */
  erasures: Erasures;
  source: LegacySource;
  /** Read back by the integrity validation. */
  stores: MemoryStores;
  projection: ProjectionService;
  /** The graph's facts an exchange should yield (integrity). */
  extractor: EntityExtractor;
  /** A model proposes claims too (HIERARCHICAL_MEMORY_FACT_EXTRACTOR): the graph may hold more facts than the rules give. */
  modelProposesClaims?: boolean;
  summaryWindow: number;
  config: Config["migration"];
  logger: Logger;
  /** Told when a run finishes (the tenant's webhooks); default none. */
  events?: Pick<MemoryEvents, "migrationFinished">;
}
