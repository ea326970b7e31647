/** The KnowledgeGraph port's contract (shared/tiers/knowledge-graph.ts), run against Neo4jKnowledgeGraph and the in-memory one. */
import { beforeEach, describe, expect, it } from "vitest";
import { parseFilter } from "../../shared/domain/filter-grammar.js";
import type { Exchange, Extraction } from "../../shared/domain/types.js";
import type { KnowledgeGraph } from "../../shared/tiers/knowledge-graph.js";
import { filterCases, filterExchanges, filterTime } from "./filter-cases.js";
import { scanned } from "./fixture.js";
import { knowledgeGraphValidityContract } from "./knowledge-graph-validity.js";

export interface KnowledgeGraphFixture {
  /** A prepared graph. */
  graph: KnowledgeGraph;
  user(): string;
}

const exchange = (userId: string, ordinal: number): Exchange => ({
  id: crypto.randomUUID(),
  userId,
  kind: "exchange",
  version: 1,
  ordinal,
  userMessage: "m",
  botResponse: "r",
  metadata: {},
  createdAt: new Date(Date.UTC(2025, 0, ordinal)),
});

const alice = { key: "alice", name: "Alice", kind: "person" };
const paris = { key: "paris", name: "Paris", kind: "place" };
const tea = { key: "tea", name: "tea", kind: "thing" };

/** An older exchange with three entities and two facts, and a newer one with a fact about Alice. */
const first: Extraction = {
  entities: [alice, paris, tea],
  relations: [{ from: "alice", to: "paris", type: "LIVES_IN" }],
  facts: [
    { text: "Alice lives in Paris", entityKeys: ["alice", "paris"] },
    { text: "Alice drinks tea", entityKeys: ["alice", "tea"] },
  ],
};
const second: Extraction = {
  entities: [alice],
  relations: [],
  facts: [{ text: "Alice started running", entityKeys: ["alice"] }],
};

export function knowledgeGraphContract(name: string, make: () => Promise<KnowledgeGraphFixture>) {
  describe(`KnowledgeGraph contract: ${name}`, () => {
    let f: KnowledgeGraphFixture;
    beforeEach(async () => {
      f = await make();
    });

    knowledgeGraphValidityContract(() => f);

    const userWithFacts = async (userId = f.user()) => {
      const [e1, e2] = [exchange(userId, 1), exchange(userId, 2)];
      await f.graph.applyMany([
        { exchange: e1, extraction: first },
        { exchange: e2, extraction: second },
      ]);
      return { userId, e1, e2 };
    };

    it("merges entities and facts; applying the same exchanges again changes nothing", async () => {
      const { userId, e1, e2 } = await userWithFacts();
      expect(await f.graph.counts(userId)).toEqual({ entities: 3, facts: 3 });
      const before = await f.graph.exportUser(userId);
      await f.graph.applyMany([
        { exchange: e2, extraction: second },
        { exchange: e1, extraction: first },
      ]);
      await f.graph.applyMany([{ exchange: e1, extraction: first }]);
      expect(await f.graph.counts(userId)).toEqual({ entities: 3, facts: 3 });
      expect(await f.graph.exportUser(userId)).toEqual(before);
      expect(await f.graph.factCounts(userId, [e1.id, e2.id])).toEqual(
        new Map([
          [e1.id, 2],
          [e2.id, 1],
        ]),
      );
    });

    it("finds facts about the asked entities, most entities matched first, then newest", async () => {
      const { userId, e1, e2 } = await userWithFacts();
      const facts = await f.graph.factsFor(userId, ["alice", "paris"], 10);
      expect(facts.map((x) => [x.text, x.hits])).toEqual([
        ["Alice lives in Paris", 2],
        ["Alice started running", 1],
        ["Alice drinks tea", 1],
      ]);
      expect(facts[0]).toMatchObject({ exchangeId: e1.id, at: e1.createdAt });
      expect([...(facts[0]?.about ?? [])].sort()).toEqual(["Alice", "Paris"]);
      expect(facts[1]).toMatchObject({ exchangeId: e2.id, at: e2.createdAt, about: ["Alice"] });
      expect((await f.graph.factsFor(userId, ["tea"], 10)).map((x) => x.text)).toEqual(["Alice drinks tea"]);
      expect(await f.graph.factsFor(userId, ["alice", "paris"], 2)).toEqual(facts.slice(0, 2));
      expect(await f.graph.factsFor(userId, [], 10)).toEqual([]);
      expect(await f.graph.factsFor(userId, ["nobody"], 10)).toEqual([]);
    });

    it("finds only facts stated within a session or agent when asked, each fact with its scope", async () => {
      const userId = f.user();
      const inS1 = { ...exchange(userId, 1), sessionId: "s1", agentId: "x" };
      const inS2 = { ...exchange(userId, 2), sessionId: "s2" };
      const plain = exchange(userId, 3);
      await f.graph.applyMany([
        { exchange: inS1, extraction: first },
        { exchange: inS2, extraction: second },
        { exchange: plain, extraction: second },
      ]);
      const texts = async (scope?: { sessionId?: string; agentId?: string }) =>
        (await f.graph.factsFor(userId, ["alice"], 10, { scope })).map((x) => x.exchangeId);
      expect(await texts({ sessionId: "s1" })).toEqual([inS1.id, inS1.id]);
      expect(await texts({ sessionId: "s2" })).toEqual([inS2.id]);
      expect(await texts({ agentId: "x" })).toEqual([inS1.id, inS1.id]);
      expect(await texts({ sessionId: "s2", agentId: "x" })).toEqual([]);
      expect(await texts()).toHaveLength(4);
      const all = await f.graph.factsFor(userId, ["alice"], 10);
      expect(all.find((x) => x.exchangeId === inS1.id)).toMatchObject({ sessionId: "s1", agentId: "x" });
      const unscoped = all.find((x) => x.exchangeId === plain.id);
      expect(unscoped).not.toHaveProperty("sessionId");
      expect(unscoped).not.toHaveProperty("agentId");
    });

    it("finds only facts whose exchange's metadata and time a filter selects, as the shared cases say", async () => {
      const userId = f.user();
      const exchanges = filterExchanges.map((metadata, i) => ({
        ...exchange(userId, i + 1),
        metadata,
        createdAt: filterTime(i),
      }));
      await f.graph.applyMany(exchanges.map((e) => ({ exchange: e, extraction: second })));
      for (const c of filterCases) {
        const facts = await f.graph.factsFor(userId, ["alice"], 50, { filter: parseFilter(c.filter) });
        expect(facts.map((x) => x.exchangeId).sort(), c.name).toEqual(
          c.selects.map((i) => exchanges[i]?.id).sort(),
        );
      }
      const [newest] = await f.graph.factsFor(userId, ["alice"], 1, {
        filter: parseFilter({ "metadata.topic": "billing" }),
      });
      expect(newest).toMatchObject({ exchangeId: exchanges[2]?.id, metadata: filterExchanges[2] });
    });

    it("removes what some exchanges stated: their facts, relations and the entities only they held", async () => {
      const { userId, e1, e2 } = await userWithFacts();
      const other = await userWithFacts();
      await f.graph.removeExchanges(userId, [e1.id]);
      // Alice stays (the second exchange's fact is about her); Paris and tea were only the first's.
      expect(await f.graph.counts(userId)).toEqual({ entities: 1, facts: 1 });
      const { entities, facts } = await f.graph.exportUser(userId);
      expect(entities.map((e) => e.key)).toEqual(["alice"]);
      expect(facts.map((x) => [x.exchangeId, x.text])).toEqual([[e2.id, "Alice started running"]]);
      expect(await f.graph.factsFor(userId, ["paris"], 10)).toEqual([]);
      // Applying it again (a correction) brings its facts back; nothing else was touched.
      await f.graph.applyMany([{ exchange: e1, extraction: first }]);
      expect(await f.graph.counts(userId)).toEqual({ entities: 3, facts: 3 });
      await f.graph.removeExchanges(userId, [e1.id, e2.id]);
      expect(await f.graph.counts(userId)).toEqual({ entities: 0, facts: 0 });
      await f.graph.removeExchanges(userId, []);
      // The same exchange ids under another user remove nothing of theirs.
      await f.graph.removeExchanges(other.userId, [crypto.randomUUID()]);
      await f.graph.removeExchanges(userId, [other.e1.id]);
      expect(await f.graph.counts(other.userId)).toEqual({ entities: 3, facts: 3 });
    });

    it("keeps each user's graph apart", async () => {
      const { userId } = await userWithFacts();
      const other = f.user();
      const theirs = exchange(other, 1);
      await f.graph.applyMany([
        {
          exchange: theirs,
          extraction: {
            entities: [alice],
            relations: [],
            facts: [{ text: "Alice is a cat", entityKeys: ["alice"] }],
          },
        },
      ]);
      expect((await f.graph.factsFor(userId, ["alice"], 10)).map((x) => x.text)).not.toContain(
        "Alice is a cat",
      );
      expect((await f.graph.factsFor(other, ["alice"], 10)).map((x) => x.text)).toEqual(["Alice is a cat"]);
      expect(await f.graph.counts(userId)).toEqual({ entities: 3, facts: 3 });
      expect(await f.graph.counts(other)).toEqual({ entities: 1, facts: 1 });
      expect(await f.graph.factCounts(userId, [theirs.id])).toEqual(new Map([[theirs.id, 0]]));
      expect(await f.graph.counts(f.user())).toEqual({ entities: 0, facts: 0 });
    });

    it("counts facts per exchange, 0 for an exchange without any", async () => {
      const { userId, e1, e2 } = await userWithFacts();
      const unknown = crypto.randomUUID();
      expect(await f.graph.factCounts(userId, [e2.id, unknown, e1.id])).toEqual(
        new Map([
          [e2.id, 1],
          [unknown, 0],
          [e1.id, 2],
        ]),
      );
    });

    it("exports a user's entities and facts in an order that does not depend on how they were applied", async () => {
      const { userId, e1, e2 } = await userWithFacts();
      const exported = await f.graph.exportUser(userId);
      expect(exported.entities).toHaveLength(3);
      expect(exported.entities).toEqual(expect.arrayContaining([expect.objectContaining(alice)]));
      expect(exported.entities).toEqual(expect.arrayContaining([expect.objectContaining(paris)]));
      expect(exported.facts).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            exchangeId: e2.id,
            text: "Alice started running",
            at: e2.createdAt.getTime(),
          }),
        ]),
      );
      expect(exported.facts).toHaveLength(3);
      await f.graph.deleteUser(userId);
      await f.graph.applyMany([{ exchange: e2, extraction: second }]);
      await f.graph.applyMany([{ exchange: e1, extraction: { ...first, entities: [tea, paris, alice] } }]);
      expect(await f.graph.exportUser(userId)).toEqual(exported);
    });

    it("deletes one user's whole graph", async () => {
      const { userId } = await userWithFacts();
      const { userId: other } = await userWithFacts();
      await f.graph.deleteUser(userId);
      expect(await f.graph.counts(userId)).toEqual({ entities: 0, facts: 0 });
      expect(await f.graph.exportUser(userId)).toEqual({ entities: [], facts: [] });
      expect(await f.graph.factsFor(userId, ["alice"], 10)).toEqual([]);
      expect(await f.graph.counts(other)).toEqual({ entities: 3, facts: 3 });
    });

    it("scans the users with nodes (one without entities too), and not a deleted one", async () => {
      const { userId } = await userWithFacts();
      const bare = f.user();
      await f.graph.applyMany([
        { exchange: exchange(bare, 1), extraction: { entities: [], relations: [], facts: [] } },
      ]);
      const { userId: gone } = await userWithFacts();
      await f.graph.deleteUser(gone);
      const users = await scanned(f.graph.scanUsers());
      expect(users.has(userId) && users.has(bare)).toBe(true);
      expect(users.has(gone)).toBe(false);
    });
  });
}
