/** The SummaryIndex contract against ChromaSummaryIndex, in collections of this file's own (two shards). */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createChromaClient } from "../../../shared/tiers/chroma/client.js";
import { ChromaSummaryIndex } from "../../../shared/tiers/chroma/summary-index.js";
import { uniqueIds } from "../../contracts/fixture.js";
import { summaryIndexContract } from "../../contracts/summary-index.contract.js";
import { chromaConfig } from "./real-stores.js";

const config = chromaConfig();
const index = new ChromaSummaryIndex(createChromaClient(config), config.collection, 2);
beforeAll(() => index.prepare());
afterAll(() => index.dropAll());

summaryIndexContract("Chroma", async () => ({ index, user: uniqueIds("summaries") }));

describe("ChromaSummaryIndex past the server's batch limit", () => {
  // The limit as the server would state it, made small: 5,461 records on the local Chroma.
  const client = createChromaClient(config);
  client.getMaxBatchSize = async () => 3;
  const small = new ChromaSummaryIndex(client, `${config.collection}_batches`, 1);
  afterAll(() => small.dropAll());

  it("writes an upsert larger than the limit in calls the server takes, every record kept", async () => {
    const user = uniqueIds("batches")();
    const exchanges = Array.from({ length: 7 }, (_, n) => ({
      exchange: {
        userId: user,
        exchangeId: crypto.randomUUID(),
        windowIndex: 0,
        text: `exchange ${n}`,
        createdAt: new Date(Date.UTC(2025, 0, 1, n)),
      },
      embedding: [1, n / 10, 0, 0],
    }));
    await small.upsert([], exchanges);
    const ids = exchanges.map((e) => e.exchange.exchangeId);
    expect([...(await small.vectorsOf(user, ids)).keys()].sort()).toEqual([...ids].sort());
  });
});
