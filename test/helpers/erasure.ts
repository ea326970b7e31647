/** What every tier holds of one user, to check that an erase left nothing anywhere; and orphans to sweep. */
import type { Exchange } from "../../shared/domain/types.js";
import { RuleBasedExtractor } from "../../shared/processing/extractor.js";
import type { Stores } from "../../shared/tiers/stores.js";

export type TestStores = Pick<Stores, "archive" | "cache" | "summaries" | "graph" | "erasures">;

export async function everythingOf(stores: TestStores, userId: string) {
  const { archive, cache, summaries, graph } = stores;
  return {
    exchanges: (await archive?.exchangeCount(userId)) ?? 0,
    summaries: (await archive?.summaries(userId))?.length ?? 0,
    recent: await cache?.recent(userId, 50),
    graph: (await graph?.counts(userId)) ?? { entities: 0, facts: 0 },
    summaryIndex: (await summaries?.countForUser(userId)) ?? 0,
    exchangeVectors: (await summaries?.countExchanges(userId)) ?? 0,
  };
}

/** Writes one exchange of `userId` into every projection tier (not the archive): an orphan. */
export async function plantProjections(stores: TestStores, userId: string, dimensions = 512) {
  const exchange: Exchange = {
    id: crypto.randomUUID(),
    userId,
    kind: "exchange",
    version: 1,
    ordinal: 1,
    userMessage: "My sister Ana lives in Lisbon.",
    botResponse: "Lovely city!",
    metadata: {},
    createdAt: new Date(),
  };
  await stores.cache?.replace(userId, [exchange]);
  await stores.graph?.applyMany([{ exchange, extraction: new RuleBasedExtractor().extract(exchange) }]);
  const summary = { userId, windowIndex: 0, text: "Ana lives in Lisbon.", exchangeIds: [exchange.id] };
  await stores.summaries?.upsert([
    {
      summary: { ...summary, startAt: exchange.createdAt, endAt: exchange.createdAt },
      embedding: Array.from({ length: dimensions }, (_, i) => (i === 0 ? 1 : 0)),
    },
  ]);
}

/** What `everythingOf` finds of a user nothing is left of. */
export const nothingLeft = {
  exchanges: 0,
  summaries: 0,
  recent: undefined,
  graph: { entities: 0, facts: 0 },
  summaryIndex: 0,
  exchangeVectors: 0,
} as const;
