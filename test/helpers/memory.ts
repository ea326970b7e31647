/** A manager on the emulated stores, with its own Chroma collection and user ids per test file. */
import { afterAll, expect } from "vitest";
import type { ProjectionTier } from "../../shared/domain/types.js";
import { HierarchicalMemoryManager } from "../../shared/memory/manager.js";
import { testConfig } from "./config.js";

export const uniqueId = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}`;

const collection = `test_${crypto.randomUUID().replaceAll("-", "")}`;

export async function createTestManager(overrides: Record<string, string> = {}) {
  const config = testConfig({
    HIERARCHICAL_MEMORY_CHROMADB_COLLECTION: collection,
    // A few shards: users spread over several collections, without creating 64 per test file.
    HIERARCHICAL_MEMORY_CHROMADB_SHARDS: "4",
    HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "10000",
    HIERARCHICAL_MEMORY_CONTEXT_ASSEMBLY_TIMEOUT: "2000",
    ...overrides,
  });
  const manager = HierarchicalMemoryManager.fromConfig(config);
  await manager.initializeTiers();
  afterAll(() => manager.close());
  return manager;
}

export const conversation = [
  ["My sister Ana lives in Lisbon and loves surfing.", "That sounds lovely! Does she surf every weekend?"],
  ["Yes, and I am learning to play the cello.", "The cello is a beautiful instrument."],
  ["I adopted a dog named Pixel last month.", "Congratulations on adopting Pixel!"],
  ["Work has been stressful with the Q3 audit.", "Audits are tough; remember to take breaks."],
  ["I visited Kyoto in spring and saw the temples.", "Kyoto in spring must have been stunning."],
] as const;

export async function storeConversation(
  manager: HierarchicalMemoryManager,
  userId: string,
  start = Date.UTC(2025, 0, 1),
) {
  const ids: string[] = [];
  for (const [i, [userMessage, botResponse]] of conversation.entries()) {
    const result = await manager.storeConversation({
      userId,
      userMessage,
      botResponse,
      metadata: { turn: i },
      timestamp: new Date(start + i * 86_400_000),
    });
    ids.push(result.exchangeId);
  }
  return ids;
}

/** Checks that a projection holds exactly what the archive implies for this user. */
export async function expectProjectionMatchesArchive(
  m: HierarchicalMemoryManager,
  tier: ProjectionTier,
  userId: string,
) {
  const { archive, cache, summaries, graph } = m.stores;
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
    const size = m.config.memory.summaryWindow;
    const windows = new Set(all.map((e) => Math.floor((e.ordinal - 1) / size))).size;
    expect(await summaries?.countForUser(userId)).toBe(windows);
    const stored = await archive?.summaries(userId);
    expect(stored?.flatMap((s) => s.exchangeIds)).toEqual(all.map((e) => e.id));
  }
  if (tier === "neo4j") {
    const exported = await graph?.exportUser(userId);
    const factExchanges = new Set(exported?.facts.map((f) => (f as { exchangeId: string }).exchangeId));
    const expected = all.filter((e) => m.processing.extractor.extract(e).facts.length > 0).map((e) => e.id);
    expect([...factExchanges].sort()).toEqual(expected.sort());
  }
}
