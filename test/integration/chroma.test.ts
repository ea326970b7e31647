/** Tier 3 through the chromadb client against a real Chroma server started by the emulation. */
import { afterAll, describe, expect, it } from "vitest";
import { chromaProbe, createChromaClient } from "../../shared/tiers/chroma/client.js";
import { testConfig } from "../helpers/config.js";

const config = testConfig();
const chroma = createChromaClient(config.chroma);
const name = `test_${crypto.randomUUID().replaceAll("-", "")}`;

afterAll(() => chroma.deleteCollection({ name }).catch(() => undefined));

describe("Chroma tier (chromadb client)", () => {
  it("writes, reads back and deletes through the probe", async () => {
    await expect(chromaProbe(chroma, config.chroma.url).roundTrip()).resolves.toBeUndefined();
  });

  it("stores our own embeddings and finds the nearest within a user filter", async () => {
    const collection = await chroma.getOrCreateCollection({ name, embeddingFunction: null });
    await collection.add({
      ids: ["a", "b", "c"],
      embeddings: [
        [1, 0, 0],
        [0, 1, 0],
        [0.9, 0.1, 0],
      ],
      documents: ["likes tea", "likes hiking", "likes green tea"],
      metadatas: [{ user_id: "u1" }, { user_id: "u1" }, { user_id: "u2" }],
    });
    const result = await collection.query({
      queryEmbeddings: [[1, 0, 0]],
      nResults: 3,
      where: { user_id: "u1" },
    });
    expect(result.ids[0]).toEqual(["a", "b"]);
    expect(result.documents[0]?.[0]).toBe("likes tea");
  });
});
