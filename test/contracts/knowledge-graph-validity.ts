/**
 * The KnowledgeGraph contract, continued: facts that change. A claim holds from its exchange's time
 * until the next claim in its slot; the result does not depend on the order exchanges are applied
 * in, nor on replays; removing an exchange re-derives what it touched. Part of knowledgeGraphContract.
 */
import { expect, it } from "vitest";
import type { Exchange, Extraction } from "../../shared/domain/types.js";
import { scanned } from "./fixture.js";
import type { KnowledgeGraphFixture } from "./knowledge-graph.contract.js";

const day = (n: number) => new Date(Date.UTC(2025, 0, n));

const exchangeOn = (userId: string, n: number): Exchange => ({
  id: crypto.randomUUID(),
  userId,
  ordinal: n,
  userMessage: "m",
  botResponse: "r",
  kind: "exchange",
  version: 1,
  metadata: {},
  createdAt: day(n),
});

const live = { key: "live", name: "live", kind: "topic" };

/** "I live in <city>" (or, negated, "I don't live in <city> anymore") as the extractor gives it. */
const lives = (city: string, negated = false): Extraction => ({
  entities: [{ key: city.toLowerCase(), name: city, kind: "place" }, live],
  relations: [],
  facts: [
    {
      text: negated ? `User no longer lives in ${city}.` : `User lives in ${city}.`,
      entityKeys: [city.toLowerCase(), "live"],
      claim: {
        subject: "user",
        relation: "lives_in",
        value: city.toLowerCase(),
        slot: "user|lives_in",
        ...(negated ? { negated } : {}),
      },
    },
  ],
});

export function knowledgeGraphValidityContract(fixture: () => KnowledgeGraphFixture) {
  const texts = async (userId: string, asOf?: Date) =>
    (await fixture().graph.factsFor(userId, ["live"], 20, asOf ? { asOf } : {})).map((f) => f.text).sort();

  it("a newer claim in a slot ends the older one; each fact keeps validFrom, invalidAt, its exchange and the one that ended it", async () => {
    const { graph, user } = fixture();
    const userId = user();
    const [lisbon, porto] = [exchangeOn(userId, 1), exchangeOn(userId, 5)];
    await graph.applyMany([
      { exchange: lisbon, extraction: lives("Lisbon") },
      { exchange: porto, extraction: lives("Porto") },
    ]);
    const now = await graph.factsFor(userId, ["live"], 10);
    expect(now).toHaveLength(1);
    expect(now[0]).toMatchObject({
      text: "User lives in Porto.",
      exchangeId: porto.id,
      validFrom: porto.createdAt,
    });
    expect(now[0]).not.toHaveProperty("invalidAt");
    expect(now[0]).not.toHaveProperty("endedBy");
    const then = await graph.factsFor(userId, ["live"], 10, { asOf: day(3) });
    expect(then).toEqual([
      expect.objectContaining({
        text: "User lives in Lisbon.",
        exchangeId: lisbon.id,
        validFrom: lisbon.createdAt,
        invalidAt: porto.createdAt,
        endedBy: porto.id,
      }),
    ]);
    // validFrom <= asOf < invalidAt: the moment Porto was said, Porto holds and Lisbon no longer.
    expect(await texts(userId, porto.createdAt)).toEqual(["User lives in Porto."]);
    expect(await texts(userId, day(0))).toEqual([]);
    const exported = (await graph.exportUser(userId)).facts;
    expect(exported).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          exchangeId: lisbon.id,
          validFrom: lisbon.createdAt.getTime(),
          invalidAt: porto.createdAt.getTime(),
          endedBy: porto.id,
          slot: "user|lives_in",
        }),
      ]),
    );
    expect(exported.find((f) => f.exchangeId === porto.id)).not.toHaveProperty("invalidAt");
    await graph.deleteUser(userId);
    expect(await graph.counts(userId)).toEqual({ entities: 0, facts: 0 });
  });

  it("gives the same facts whatever order the exchanges are applied in, concurrently too, and a replay changes nothing", async () => {
    const { graph, user } = fixture();
    const userId = user();
    const said: [number, Extraction][] = [
      [1, lives("Lisbon")],
      [3, lives("Lisbon", true)],
      [5, lives("Porto")],
      [7, lives("Braga", true)],
      [9, lives("Porto")],
    ];
    const items = said.map(([n, extraction]) => ({ exchange: exchangeOn(userId, n), extraction }));
    const orders = [
      [0, 1, 2, 3, 4],
      [4, 3, 2, 1, 0],
      [2, 4, 0, 3, 1],
    ];
    const exports = [];
    for (const order of orders) {
      await graph.deleteUser(userId);
      for (const i of order) await graph.applyMany([items[i] as (typeof items)[number]]);
      exports.push(await graph.exportUser(userId));
    }
    await graph.deleteUser(userId);
    await graph.applyMany([...items].reverse());
    exports.push(await graph.exportUser(userId));
    // Concurrent writers of one slot: neither may miss the other's claim.
    await graph.deleteUser(userId);
    await Promise.all(items.map((item) => graph.applyMany([item])));
    exports.push(await graph.exportUser(userId));
    for (const other of exports.slice(1)) expect(other).toEqual(exports[0]);
    await graph.applyMany(items);
    await graph.applyMany([items[1] as (typeof items)[number]]);
    expect(await graph.exportUser(userId)).toEqual(exports[0]);
    // Lisbon ended by its negation, the negation by Porto; a negation of Braga does not end Porto
    // (it ends only Braga), Porto said again ends the negation but keeps Porto's first validFrom.
    const ended = new Map(exports[0]?.facts.map((f) => [f.exchangeId, f.endedBy]));
    const id = (i: number) => items[i]?.exchange.id;
    expect([0, 1, 2, 3, 4].map((i) => ended.get(id(i)))).toEqual([id(1), id(2), undefined, id(4), undefined]);
    expect(await texts(userId)).toEqual(["User lives in Porto.", "User lives in Porto."]);
    expect(await texts(userId, day(8))).toEqual(["User lives in Porto.", "User no longer lives in Braga."]);
    expect(await texts(userId, day(4))).toEqual(["User no longer lives in Lisbon."]);
  });

  it("facts stored without a claim hold from their time on and are never ended", async () => {
    const { graph, user } = fixture();
    const userId = user();
    const plain = exchangeOn(userId, 2);
    await graph.applyMany([
      {
        exchange: plain,
        extraction: {
          entities: [live],
          relations: [],
          facts: [{ text: "I live for music", entityKeys: ["live"] }],
        },
      },
    ]);
    await graph.applyMany([{ exchange: exchangeOn(userId, 4), extraction: lives("Porto") }]);
    expect(await texts(userId)).toEqual(["I live for music", "User lives in Porto."]);
    expect(await texts(userId, day(3))).toEqual(["I live for music"]);
    expect(await texts(userId, day(1))).toEqual([]);
    const [fact] = await graph.factsFor(userId, ["live"], 1, { asOf: day(3) });
    expect(fact).toMatchObject({ validFrom: plain.createdAt, at: plain.createdAt });
    expect(fact).not.toHaveProperty("invalidAt");
    expect(fact).not.toHaveProperty("slot");
  });

  it("removing an exchange deletes what it stated, a fact it had ended holds again, and another user's graph is untouched", async () => {
    const { graph, user } = fixture();
    const [userId, other] = [user(), user()];
    const build = async (who: string) => {
      const [lisbon, porto] = [exchangeOn(who, 1), exchangeOn(who, 5)];
      await graph.applyMany([
        { exchange: lisbon, extraction: lives("Lisbon") },
        { exchange: porto, extraction: lives("Porto") },
      ]);
      return { lisbon, porto };
    };
    const mine = await build(userId);
    const theirs = await build(other);
    const theirsBefore = await graph.exportUser(other);
    await graph.removeExchanges(userId, [mine.porto.id, theirs.lisbon.id, crypto.randomUUID()]);
    const now = await graph.factsFor(userId, ["live"], 10);
    expect(now).toEqual([
      expect.objectContaining({ text: "User lives in Lisbon.", exchangeId: mine.lisbon.id }),
    ]);
    expect(now[0]).not.toHaveProperty("invalidAt");
    expect(now[0]).not.toHaveProperty("endedBy");
    // Porto's entity went with its only fact; "live" stays, Lisbon's fact is about it.
    expect(await graph.counts(userId)).toEqual({ entities: 2, facts: 1 });
    expect(await graph.exportUser(other)).toEqual(theirsBefore);
    // The same graph as if Porto had never been said.
    const removed = await graph.exportUser(userId);
    await graph.deleteUser(userId);
    await graph.applyMany([{ exchange: mine.lisbon, extraction: lives("Lisbon") }]);
    expect(await graph.exportUser(userId)).toEqual(removed);
  });

  it("removing an exchange takes its part in relations, and the entities nothing else needs", async () => {
    const { graph, user } = fixture();
    const userId = user();
    const alice = { key: "alice", name: "Alice", kind: "person" };
    const paris = { key: "paris", name: "Paris", kind: "place" };
    const [e1, e2, e3] = [exchangeOn(userId, 1), exchangeOn(userId, 2), exchangeOn(userId, 3)];
    const inParis: Extraction = {
      entities: [alice, paris],
      relations: [{ from: "alice", to: "paris", type: "LIVES_IN" }],
      facts: [{ text: "Alice lives in Paris", entityKeys: ["alice", "paris"] }],
    };
    const running: Extraction = {
      entities: [alice],
      relations: [],
      facts: [{ text: "Alice runs", entityKeys: ["alice"] }],
    };
    await graph.applyMany([
      { exchange: e1, extraction: inParis },
      { exchange: e2, extraction: running },
      { exchange: e3, extraction: { ...inParis, facts: [] } },
    ]);
    await graph.removeExchanges(userId, [e1.id]);
    // e3 still states the relation, so Paris stays though no fact is about it any more.
    expect(await graph.counts(userId)).toEqual({ entities: 2, facts: 1 });
    await graph.removeExchanges(userId, [e3.id]);
    expect(await graph.counts(userId)).toEqual({ entities: 1, facts: 1 });
    const left = await graph.exportUser(userId);
    await graph.deleteUser(userId);
    await graph.applyMany([{ exchange: e2, extraction: running }]);
    expect(await graph.exportUser(userId)).toEqual(left);
    await graph.removeExchanges(userId, []);
    expect(await graph.exportUser(userId)).toEqual(left);
    // Removing from a user the graph does not know (say, one erased meanwhile) creates nothing.
    const unknown = user();
    await graph.removeExchanges(unknown, [e2.id]);
    expect((await scanned(graph.scanUsers())).has(unknown)).toBe(false);
  });

  it("a correction is a removal and the corrected exchange applied again", async () => {
    const { graph, user } = fixture();
    const userId = user();
    const [lisbon, porto] = [exchangeOn(userId, 1), exchangeOn(userId, 5)];
    await graph.applyMany([
      { exchange: lisbon, extraction: lives("Lisbon") },
      { exchange: porto, extraction: lives("Porto") },
    ]);
    await graph.removeExchanges(userId, [porto.id]);
    await graph.applyMany([{ exchange: porto, extraction: lives("Braga") }]);
    expect(await texts(userId)).toEqual(["User lives in Braga."]);
    expect(await graph.factsFor(userId, ["live"], 10, { asOf: day(2) })).toEqual([
      expect.objectContaining({
        text: "User lives in Lisbon.",
        endedBy: porto.id,
        invalidAt: porto.createdAt,
      }),
    ]);
    expect((await graph.counts(userId)).facts).toBe(2);
  });
}
