/**
 * A memory on the emulated stores, with its own Chroma collection and user ids per test file. The
 * test keeps the stores it built, to look into each tier directly.
 */
import { afterAll, expect } from "vitest";
import type { Config } from "../../shared/config/index.js";
import type { ProjectionTier } from "../../shared/domain/tiers.js";
import type { HierarchicalMemoryManager } from "../../shared/memory/manager.js";
import { createProcessing, type Processing } from "../../shared/processing/index.js";
import { createMemory, type Memory } from "../../shared/runtime/create-memory.js";
import { createStores, type Stores } from "../../shared/tiers/index.js";
import { testConfig } from "./config.js";
import { type RawClients, rawClients } from "./raw.js";

export { conversation, storeConversation } from "./conversation.js";
export { uniqueId } from "./ids.js";

const collection = `test_${crypto.randomUUID().replaceAll("-", "")}`;

export interface TestMemory {
  memory: Memory;
  manager: HierarchicalMemoryManager;
  stores: Stores;
  config: Config;
  processing: Processing;
  /** The services themselves (SQL, every Chroma shard, Neo4j), opened on first use. */
  raw(): RawClients;
}

export async function createTestMemory(overrides: Record<string, string> = {}): Promise<TestMemory> {
  const config = testConfig({
    // Warnings of tiers a test takes down on purpose would drown the test output.
    LOG_LEVEL: "error",
    HIERARCHICAL_MEMORY_CHROMADB_COLLECTION: collection,
    // A few shards: users spread over several collections, without creating 64 per test file.
    HIERARCHICAL_MEMORY_CHROMADB_SHARDS: "4",
    HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "10000",
    HIERARCHICAL_MEMORY_CONTEXT_ASSEMBLY_TIMEOUT: "2000",
    ...overrides,
  });
  const stores = createStores(config);
  const processing = createProcessing(config.embedding);
  const memory = createMemory(config, { stores, processing });
  await memory.manager.initializeTiers();
  afterAll(() => memory.close());
  let raw: RawClients | undefined;
  return {
    memory,
    manager: memory.manager,
    stores,
    config,
    processing,
    raw: () => (raw ??= rawClients(config)),
  };
}

/** Checks that a projection holds exactly what the archive implies for this user. */
export async function expectProjectionMatchesArchive(
  t: Pick<TestMemory, "stores" | "config" | "processing">,
  tier: ProjectionTier,
  userId: string,
) {
  const { archive, cache, summaries, graph } = t.stores;
  const all = (await archive?.allExchanges(userId)) ?? [];
  if (tier === "redis") {
    // Newest first by time (ordinals follow store order, which a migration does not keep in time order).
    const newest = [...all]
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.ordinal - a.ordinal)
      .slice(0, 50);
    const recent = await cache?.recent(userId, 50);
    expect(recent?.map((e) => e.id)).toEqual(newest.map((e) => e.id));
  }
  if (tier === "chroma") {
    const size = t.config.memory.summaryWindow;
    const windows = new Set(all.map((e) => Math.floor((e.ordinal - 1) / size))).size;
    expect(await summaries?.countForUser(userId)).toBe(windows);
    const stored = await archive?.summaries(userId);
    expect(stored?.flatMap((s) => s.exchangeIds)).toEqual(all.map((e) => e.id));
  }
  if (tier === "neo4j") {
    const exported = await graph?.exportUser(userId);
    const factExchanges = new Set(exported?.facts.map((f) => (f as { exchangeId: string }).exchangeId));
    const expected = all.filter((e) => t.processing.extractor.extract(e).facts.length > 0).map((e) => e.id);
    expect([...factExchanges].sort()).toEqual(expected.sort());
  }
}
