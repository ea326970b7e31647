/** Every store a process can have, by role (ports only); a tier that is disabled leaves its stores out. */
import type { Archive } from "./archive.js";
import type { Erasures } from "./erasures.js";
import type { ImportStore } from "./imports.js";
import type { KeyStore } from "./key-store.js";
import type { KnowledgeGraph } from "./knowledge-graph.js";
import type { LegacySource } from "./legacy-source.js";
import type { MigrationRunStore } from "./migration-runs.js";
import type { Outbox } from "./outbox.js";
import type { TierProbe, TierSetup } from "./probe.js";
import type { RateLimiter } from "./rate-limiter.js";
import type { RecentCache } from "./recent-cache.js";
import type { SummaryIndex } from "./summary-index.js";
import type { TrafficLog } from "./traffic-log.js";
import type { TierIncidents, WebhookDeliveries, WebhookEndpoints } from "./webhooks.js";

/** The stores the memory itself works with. */
export interface MemoryStores {
  archive?: Archive;
  outbox?: Outbox;
  /** Erase tasks and tombstones, written with the archive. */
  erasures?: Erasures;
  cache?: RecentCache;
  summaries?: SummaryIndex;
  graph?: KnowledgeGraph;
}

/** Events: the endpoints tenants register, the queue of deliveries, tiers' incidents. */
export interface WebhookStores {
  endpoints: WebhookEndpoints;
  deliveries: WebhookDeliveries;
  incidents: TierIncidents;
}

export interface Stores extends MemoryStores {
  keys?: KeyStore;
  runs?: MigrationRunStore;
  /** Bulk imports (runs of kind import, with their tenant and source). */
  imports?: ImportStore;
  traffic?: TrafficLog;
  rateLimiter?: RateLimiter;
  /** Webhook endpoints, deliveries and tier incidents (in Postgres). */
  webhooks?: WebhookStores;
  /** The legacy store a migration reads. */
  legacy?: LegacySource;
  /** What prepares each enabled tier (start-up or deploy, never a request). */
  setup: readonly TierSetup[];
  /** Each enabled tier's connectivity round trip. */
  probes: readonly TierProbe[];
  /** Closes the clients that hold connections. */
  close(): Promise<void>;
}
