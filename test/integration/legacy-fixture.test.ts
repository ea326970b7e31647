/** The legacy fixture is written into a real (private) Chroma, in both legacy collections. */
import { afterAll, describe, expect, it } from "vitest";
import { legacyRecords, writeLegacyStore } from "../../infra/local/legacy-fixture.js";
import { createChromaClient } from "../../shared/tiers/chroma/client.js";
import { testConfig } from "../helpers/config.js";
import { privateChroma } from "../helpers/services.js";

const service = await privateChroma();
afterAll(() => service.close());

describe("legacy fixture", () => {
  it("writes every generated record, global facts apart, with stored vectors of the legacy size", async () => {
    const chroma = createChromaClient(testConfig(service.env).chroma);
    const records = [...legacyRecords(400, 3)];
    const counts = await writeLegacyStore(chroma, records, { dimensions: 384, batchSize: 100 });
    const global = records.filter((r) => r.collection === "global_facts").length;
    expect(counts).toEqual({ user_memories: 400 - global, global_facts: global });
    const memories = await chroma.getCollection({ name: "user_memories" });
    expect(await memories.count()).toBe(400 - global);
    const sample = await memories.get({
      ids: [records.find((r) => r.collection === "user_memories")?.id ?? ""],
      include: ["embeddings", "documents"],
    });
    expect(sample.embeddings[0]).toHaveLength(384);
    // Re-writing the same seed changes nothing: ids are deterministic.
    await writeLegacyStore(chroma, legacyRecords(400, 3), { batchSize: 100 });
    expect(await memories.count()).toBe(400 - global);
  });
});
