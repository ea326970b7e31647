/** The stores the memory works with; each projection store is absent when its tier is disabled. */
import type { ChromaSummaryIndex } from "../tiers/chroma/summary-index.js";
import type { Neo4jKnowledgeGraph } from "../tiers/neo4j/knowledge-graph.js";
import type { PostgresArchive } from "../tiers/postgres/archive.js";
import type { PostgresOutbox } from "../tiers/postgres/outbox.js";
import type { RedisRecentCache } from "../tiers/redis/recent-cache.js";

export interface MemoryStores {
  archive?: PostgresArchive;
  outbox?: PostgresOutbox;
  cache?: RedisRecentCache;
  summaries?: ChromaSummaryIndex;
  graph?: Neo4jKnowledgeGraph;
}
