/** The LegacySource port's contract (shared/tiers/legacy-source.ts), run against LegacyChromaSource and the in-memory one. */
import { describe, expect, it } from "vitest";
import type { LegacyRecord, LegacySource } from "../../shared/tiers/legacy-source.js";

/** A legacy store holding these records; `undefined`: no legacy collections at all. */
export type LegacySourceFactory = (records?: LegacyRecord[]) => Promise<LegacySource>;

const memory = (id: string, userId: string | undefined, document: string): LegacyRecord => ({
  collection: "user_memories",
  id,
  document,
  metadata: userId
    ? { user_id: userId, type: "conversation", confidence: 0.5, private: true }
    : { type: "note" },
});

const records: LegacyRecord[] = [
  memory("lu1_a", "lu1", "User: hi\nAssistant: hello"),
  memory("lu2_a", "lu2", "User: Grüße 🌍\nAssistant: 你好"),
  memory("lu1_b", "lu1", "User likes green tea"),
  memory("orphan", undefined, "remember this"),
  memory("lu2_b", "lu2", "Fact: plays the cello"),
  memory("lu1_c", "lu1", "Personality: curious"),
  memory("lu3_a", "lu3", "User: bye\nAssistant: see you"),
  memory("lu1_d", "lu1", "User: again\nAssistant: yes"),
  {
    collection: "global_facts",
    id: "gf_1",
    document: "The bot's name is Elena.",
    metadata: { type: "global_fact" },
  },
  {
    collection: "global_facts",
    id: "gf_2",
    document: "Elena likes jazz.",
    metadata: { type: "global_fact", user_id: "lu1" },
  },
];

const idsOf = (list: readonly LegacyRecord[]) => list.map((r) => r.id).sort();

export function legacySourceContract(name: string, make: LegacySourceFactory) {
  describe(`LegacySource contract: ${name}`, () => {
    it("counts the records of each collection, 0 without the collection", async () => {
      const source = await make(records);
      expect(await source.count("user_memories")).toBe(8);
      expect(await source.count("global_facts")).toBe(2);
      const empty = await make();
      expect(await empty.count("user_memories")).toBe(0);
      expect(await empty.count("global_facts")).toBe(0);
      expect(await empty.page("user_memories", 0, 10)).toEqual([]);
      expect(await empty.byUserId("lu1")).toEqual([]);
    });

    it("reads a collection page by page, each record once, the same page the same on every read", async () => {
      const source = await make(records);
      const pages = [await source.page("user_memories", 0, 3), await source.page("user_memories", 3, 3)];
      pages.push(await source.page("user_memories", 6, 3));
      expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
      const read = pages.flat();
      expect(idsOf(read)).toEqual(idsOf(records.filter((r) => r.collection === "user_memories")));
      expect(await source.page("user_memories", 3, 3)).toEqual(pages[1]);
      expect(await source.page("user_memories", 8, 3)).toEqual([]);
      expect(idsOf(await source.page("global_facts", 0, 10))).toEqual(["gf_1", "gf_2"]);
    });

    it("gives records back as written: collection, id, document and metadata", async () => {
      const source = await make(records);
      const read = [
        ...(await source.page("user_memories", 0, 100)),
        ...(await source.page("global_facts", 0, 100)),
      ];
      expect(read).toHaveLength(records.length);
      for (const record of records) expect(read.find((r) => r.id === record.id)).toEqual(record);
    });

    it("finds one legacy user's memories by the user_id in their metadata", async () => {
      const source = await make(records);
      const found = await source.byUserId("lu1");
      expect(idsOf(found)).toEqual(["lu1_a", "lu1_b", "lu1_c", "lu1_d"]);
      expect(found.every((r) => r.collection === "user_memories")).toBe(true);
      expect(await source.byUserId("nobody")).toEqual([]);
    });
  });
}
