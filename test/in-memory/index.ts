/**
 * In-memory stores in the shape createStores(config) returns, for fast tests of the layers above
 * the ports. Archive, outbox and migration runs share one InMemoryDatabase (`state`), as the real
 * ones share Postgres tables; a disabled tier leaves its stores out.
 */
import type { TierName } from "../../shared/domain/tiers.js";
import type { LegacyRecord } from "../../shared/tiers/legacy-source.js";
import type { TierProbe, TierSetup } from "../../shared/tiers/probe.js";
import type { Stores } from "../../shared/tiers/stores.js";
import { InMemoryArchive } from "./archive.js";
import { InMemoryDatabase } from "./database.js";
import { InMemoryErasures } from "./erasures.js";
import { InMemoryImports } from "./imports.js";
import { InMemoryKeyStore } from "./key-store.js";
import { InMemoryKnowledgeGraph } from "./knowledge-graph.js";
import { InMemoryLegacySource } from "./legacy-source.js";
import { InMemoryMigrationRuns } from "./migration-runs.js";
import { InMemoryOutbox } from "./outbox.js";
import { InMemoryRateLimiter } from "./rate-limiter.js";
import { InMemoryRecentCache } from "./recent-cache.js";
import { InMemorySummaryIndex } from "./summary-index.js";
import { InMemoryTrafficLog } from "./traffic-log.js";
import {
  InMemoryTierIncidents,
  InMemoryWebhookDeliveries,
  InMemoryWebhookEndpoints,
  WebhookState,
} from "./webhooks.js";

export { InMemoryArchive } from "./archive.js";
export { InMemoryDatabase } from "./database.js";
export { InMemoryErasures } from "./erasures.js";
export { InMemoryImports } from "./imports.js";
export { InMemoryKeyStore } from "./key-store.js";
export { InMemoryKnowledgeGraph } from "./knowledge-graph.js";
export { InMemoryLegacySource } from "./legacy-source.js";
export { InMemoryMigrationRuns } from "./migration-runs.js";
export { InMemoryOutbox } from "./outbox.js";
export { InMemoryRateLimiter } from "./rate-limiter.js";
export { InMemoryRecentCache } from "./recent-cache.js";
export { InMemorySummaryIndex } from "./summary-index.js";
export { InMemoryTrafficLog } from "./traffic-log.js";
export {
  InMemoryTierIncidents,
  InMemoryWebhookDeliveries,
  InMemoryWebhookEndpoints,
  WebhookState,
} from "./webhooks.js";

export interface InMemoryOptions {
  /** Recent cache list length per user (default 50, as the config's). */
  recentCacheSize?: number;
  /** Recent cache TTL (default 3600 s). */
  cacheTtlSeconds?: number;
  /** Requests per minute per key; 0 (the default) leaves the rate limiter out, as the config does. */
  rateLimitPerMinute?: number;
  /** The legacy store's records; without them there is no legacy source. */
  legacy?: LegacyRecord[];
  /** Tiers to leave out with `false` (default: all four enabled). */
  tiers?: { redis?: boolean; chroma?: boolean; neo4j?: boolean; postgres?: boolean };
}

export type InMemoryStores = Stores & { state: InMemoryDatabase };

/** A probe that writes, reads back and deletes a marker in its own map. */
function probe(tier: TierName): TierProbe {
  const markers = new Map<string, string>();
  return {
    tier,
    async roundTrip() {
      const id = crypto.randomUUID();
      markers.set(id, id);
      if (markers.get(id) !== id) throw new Error(`${tier}: read back the wrong marker`);
      markers.delete(id);
    },
    async ping() {},
  };
}

function inMemoryWebhooks() {
  const state = new WebhookState();
  return {
    endpoints: new InMemoryWebhookEndpoints(state),
    deliveries: new InMemoryWebhookDeliveries(state),
    incidents: new InMemoryTierIncidents(),
  };
}

export function createInMemoryStores(options: InMemoryOptions = {}): InMemoryStores {
  const on = { redis: true, chroma: true, neo4j: true, postgres: true, ...options.tiers };
  const state = new InMemoryDatabase();
  const summaries = on.chroma ? new InMemorySummaryIndex() : undefined;
  const graph = on.neo4j ? new InMemoryKnowledgeGraph() : undefined;
  const rateLimit = options.rateLimitPerMinute ?? 0;
  const setup: TierSetup[] = [];
  if (on.postgres) setup.push({ tier: "postgres", run: async () => [] });
  if (summaries) setup.push({ tier: "chroma", run: () => summaries.prepare() });
  if (graph) setup.push({ tier: "neo4j", run: () => graph.prepare() });
  const tiers: TierName[] = ["redis", "postgres", "chroma", "neo4j"];
  return {
    state,
    archive: on.postgres ? new InMemoryArchive(state) : undefined,
    outbox: on.postgres ? new InMemoryOutbox(state) : undefined,
    erasures: on.postgres ? new InMemoryErasures(state) : undefined,
    keys: on.postgres ? new InMemoryKeyStore() : undefined,
    runs: on.postgres ? new InMemoryMigrationRuns(state) : undefined,
    imports: on.postgres ? new InMemoryImports(state) : undefined,
    webhooks: on.postgres ? inMemoryWebhooks() : undefined,
    legacy: on.postgres && options.legacy ? new InMemoryLegacySource(options.legacy) : undefined,
    cache: on.redis
      ? new InMemoryRecentCache({ size: options.recentCacheSize, ttlSeconds: options.cacheTtlSeconds })
      : undefined,
    traffic: on.redis ? new InMemoryTrafficLog() : undefined,
    rateLimiter: on.redis && rateLimit > 0 ? new InMemoryRateLimiter(rateLimit) : undefined,
    summaries,
    graph,
    setup,
    probes: tiers.filter((t) => on[t]).map(probe),
    close: async () => {},
  };
}
