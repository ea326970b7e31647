/** The Archive port's contract (shared/tiers/archive.ts), run against PostgresArchive and the in-memory one. */
import { beforeEach, describe, expect, it } from "vitest";
import { parseFilter } from "../../shared/domain/filter-grammar.js";
import type { ProjectionTier } from "../../shared/domain/tiers.js";
import type { Exchange, ExchangeInput, Summary } from "../../shared/domain/types.js";
import type { Archive, NewExchange } from "../../shared/tiers/archive.js";
import type { Outbox } from "../../shared/tiers/outbox.js";
import { oneExchangeCases } from "./archive-one-exchange.js";
import { filterCases, filterExchanges, filterTime } from "./filter-cases.js";
import { contractTest, day, sleep } from "./fixture.js";

export interface ArchiveFixture {
  archive: Archive;
  /** The outbox the archive writes its rows to. */
  outbox: Outbox;
  /** A user id no other test uses; each call's id sorts after the previous one's. */
  user(): string;
}

const start = Date.UTC(2024, 0, 1);

/** Titles of tests a store may declare it is known to fail. */
export const archiveCases = {
  repeatedKeyInBatch: "inserts a (user, key) a bulk write repeats once, numbering without a gap",
};

export function archiveContract(
  name: string,
  make: () => Promise<ArchiveFixture>,
  options: { knownFailures?: string[] } = {},
) {
  describe(`Archive contract: ${name}`, () => {
    const test = contractTest(options.knownFailures);
    let f: ArchiveFixture;
    beforeEach(async () => {
      f = await make();
    });

    /** Stores one exchange `days` after the start; text defaults to a per-call marker. */
    const store = async (
      userId: string,
      fields: Partial<ExchangeInput> & { days?: number } = {},
      projections: readonly ProjectionTier[] = [],
    ) => {
      const { days = 0, ...rest } = fields;
      const stored = await f.archive.insertExchange(
        {
          userId,
          userMessage: "plain message",
          botResponse: "plain reply",
          timestamp: new Date(start + days * day),
          ...rest,
        },
        projections,
      );
      return stored;
    };
    const ids = (list: readonly { id: string }[]) => list.map((e) => e.id);
    const outboxRows = (exchangeId: string) => f.outbox.claim(100, 60_000, { exchangeId });

    it("numbers each user's exchanges 1, 2, 3 ... in store order, per user", async () => {
      const [a, b] = [f.user(), f.user()];
      const a1 = await store(a, { days: 5 });
      const b1 = await store(b);
      const a2 = await store(a, { days: 1 });
      const a3 = await store(a, { days: 3 });
      expect([a1, a2, a3].map((s) => s.exchange.ordinal)).toEqual([1, 2, 3]);
      expect([a1, a2, a3, b1].map((s) => s.duplicate)).toEqual([false, false, false, false]);
      expect(b1.exchange.ordinal).toBe(1);
      expect(ids(await f.archive.allExchanges(a))).toEqual(ids([a1.exchange, a2.exchange, a3.exchange]));
      expect(await f.archive.exchangeCount(a)).toBe(3);
      expect(await f.archive.exchangeCount(b)).toBe(1);
      expect(await f.archive.exchangeCount(f.user())).toBe(0);
    });

    it("keeps the exchange as given: texts, speaker, metadata and time", async () => {
      const a = f.user();
      const at = new Date(Date.UTC(2023, 4, 17, 9, 30, 15, 250));
      const metadata = { channel: "dm", tags: ["x", "y"], nested: { n: 1.5, ok: true } };
      const { exchange } = await f.archive.insertExchange(
        {
          userId: a,
          userMessage: "Grüße 🌍 'quoted'",
          botResponse: "Hallo",
          speaker: "Joanna",
          metadata,
          timestamp: at,
        },
        [],
      );
      expect(exchange).toMatchObject({
        userId: a,
        ordinal: 1,
        userMessage: "Grüße 🌍 'quoted'",
        botResponse: "Hallo",
      });
      expect(exchange).toMatchObject({ speaker: "Joanna", metadata, createdAt: at });
      expect(exchange.id).toMatch(/^[0-9a-f-]{36}$/);
      expect(await f.archive.allExchanges(a)).toEqual([exchange]);
      const before = Date.now();
      const plain = (await f.archive.insertExchange({ userId: a, userMessage: "m", botResponse: "r" }, []))
        .exchange;
      expect(plain.speaker).toBeUndefined();
      expect(plain.metadata).toEqual({});
      expect(Math.abs(plain.createdAt.getTime() - before)).toBeLessThan(60_000);
    });

    it("answers a reused idempotency key with the first exchange, writing nothing", async () => {
      const [a, b] = [f.user(), f.user()];
      const first = await store(a, { idempotencyKey: "k1", userMessage: "first" }, ["redis"]);
      const again = await store(a, { idempotencyKey: "k1", userMessage: "second" }, ["redis", "chroma"]);
      expect(again).toEqual({ exchange: first.exchange, duplicate: true });
      expect(await f.archive.exchangeCount(a)).toBe(1);
      expect((await f.archive.allExchanges(a)).map((e) => e.userMessage)).toEqual(["first"]);
      expect((await outboxRows(first.exchange.id)).map((r) => r.tier)).toEqual(["redis"]);
      // The key is the user's own: another user's same key is a new exchange.
      const other = await store(b, { idempotencyKey: "k1" });
      expect(other.duplicate).toBe(false);
      expect(other.exchange.id).not.toBe(first.exchange.id);
    });

    it("writes one outbox row per projection tier with the exchange", async () => {
      const a = f.user();
      const { exchange } = await store(a, {}, ["redis", "neo4j"]);
      const rows = await outboxRows(exchange.id);
      expect(rows.map((r) => r.tier).sort()).toEqual(["neo4j", "redis"]);
      for (const row of rows) expect(row).toMatchObject({ exchangeId: exchange.id, userId: a, attempts: 1 });
      const none = await store(a, {}, []);
      expect(await outboxRows(none.exchange.id)).toEqual([]);
    });

    it("lists recent exchanges newest first (by time, then store order), a page before a position", async () => {
      const a = f.user();
      const e1 = (await store(a, { days: 1 })).exchange;
      const e2 = (await store(a, { days: 3 })).exchange;
      const e3 = (await store(a, { days: 2 })).exchange;
      const e4 = (await store(a, { days: 3 })).exchange;
      await store(f.user(), { days: 9 });
      expect(ids(await f.archive.recent(a, 10))).toEqual(ids([e4, e2, e3, e1]));
      expect(ids(await f.archive.recent(a, 2))).toEqual(ids([e4, e2]));
      expect(
        ids(await f.archive.recent(a, 2, { before: { createdAt: e2.createdAt, ordinal: e2.ordinal } })),
      ).toEqual(ids([e3, e1]));
      expect(
        ids(await f.archive.recent(a, 10, { before: { createdAt: e4.createdAt, ordinal: e4.ordinal } })),
      ).toEqual(ids([e2, e3, e1]));
      expect(
        await f.archive.recent(a, 10, { before: { createdAt: e1.createdAt, ordinal: e1.ordinal } }),
      ).toEqual([]);
      expect((await f.archive.recent(a, 1))[0]).toEqual(e4);
    });

    it("gives each user's newest exchanges for many users at once", async () => {
      const [a, b, nobody] = [f.user(), f.user(), f.user()];
      const a1 = (await store(a, { days: 1 })).exchange;
      const a2 = (await store(a, { days: 2 })).exchange;
      const a3 = (await store(a, { days: 3 })).exchange;
      const b1 = (await store(b, { days: 1 })).exchange;
      const lists = await f.archive.recentForUsers([a, b, nobody], 2);
      expect(ids(lists.get(a) ?? [])).toEqual(ids([a3, a2]));
      expect(lists.get(b)).toEqual([b1]);
      expect(lists.get(nobody) ?? []).toEqual([]);
      expect(ids(lists.get(a) ?? [])).not.toContain(a1.id);
    });

    it("finds exchanges by id within one user, in store order, ignoring other users' ids", async () => {
      const [a, b] = [f.user(), f.user()];
      const a1 = (await store(a)).exchange;
      await store(a);
      const a3 = (await store(a)).exchange;
      const b1 = (await store(b)).exchange;
      expect(await f.archive.byIds(a, [a3.id, b1.id, a1.id, crypto.randomUUID()])).toEqual([a1, a3]);
      expect(await f.archive.byIds(b, [a1.id])).toEqual([]);
      expect(await f.archive.byIds(a, [])).toEqual([]);
    });

    it("pages through users in id order", async () => {
      const [u1, u2, u3] = [f.user(), f.user(), f.user()];
      for (const u of [u3, u1, u2]) await store(u);
      expect(await f.archive.userIds(u1, 2)).toEqual([u2, u3]);
      expect(await f.archive.userIds(u1, 1)).toEqual([u2]);
      expect(await f.archive.userIds(u2, 1)).toEqual([u3]);
      expect(await f.archive.userIds(u3, 10)).not.toContain(u1);
    });

    describe("word search", () => {
      it("searches one user's exchanges, only those sharing a query word", async () => {
        const [a, b] = [f.user(), f.user()];
        const volcano = (await store(a, { userMessage: "We climbed the volcano", days: 1 })).exchange;
        await store(a, { userMessage: "I baked sourdough bread", days: 3 });
        await store(b, { userMessage: "A volcano tour sounds fun", days: 5 });
        const hits = await f.archive.search(a, "tell me about the volcano", 10);
        expect(hits.map((h) => h.exchange)).toEqual([volcano]);
        expect(hits[0]?.rank).toBeGreaterThan(0);
        expect(await f.archive.search(a, "glacier", 10)).toEqual([]);
        expect(await f.archive.search(a, "the and of what", 10)).toEqual([]);
      });

      it("ranks an exchange with more and rarer query words above one with a common word", async () => {
        const a = f.user();
        // Three exchanges say "coffee", two "volcano", one "Reykjavik"; 1 and 3 differ only in their word.
        const texts = [
          "We hiked to the volcano crater near Reykjavik",
          "I looked at coffee photos",
          "The weather was mild today",
          "I looked at volcano photos",
          "I read a novel on the train",
          "My coffee machine broke",
          "We planted tomatoes in the garden",
          "More coffee after lunch",
        ];
        const stored: Exchange[] = [];
        for (const [i, userMessage] of texts.entries())
          stored.push((await store(a, { userMessage, botResponse: "I see", days: 2 * i })).exchange);
        const hits = await f.archive.search(a, "volcano Reykjavik coffee", 10);
        const rankOf = (e: Exchange | undefined) => hits.find((h) => h.exchange.id === e?.id)?.rank ?? 0;
        expect(hits[0]?.exchange.id).toBe(stored[0]?.id);
        expect(rankOf(stored[0])).toBeGreaterThan(rankOf(stored[3]));
        expect(rankOf(stored[3])).toBeGreaterThan(rankOf(stored[1]));
        expect(rankOf(stored[1])).toBeGreaterThan(0);
        expect(hits.map((h) => h.exchange.id)).not.toContain(stored[2]?.id);
        const ranks = hits.map((h) => h.rank);
        expect(ranks).toEqual([...ranks].sort((x, y) => y - x));
      });

      it("ranks exchanges from a period the query names higher", async () => {
        const a = f.user();
        const text = { userMessage: "We stayed at the lake cabin", botResponse: "How relaxing" };
        const may = (await store(a, { ...text, timestamp: new Date(Date.UTC(2023, 4, 10)) })).exchange;
        const january = (await store(a, { ...text, timestamp: new Date(Date.UTC(2024, 0, 10)) })).exchange;
        await store(a, { userMessage: "unrelated", timestamp: new Date(Date.UTC(2023, 7, 1)) });
        const period = { start: new Date(Date.UTC(2023, 4, 1)), end: new Date(Date.UTC(2023, 5, 1)) };
        const hits = await f.archive.search(a, "the lake cabin", 10, { periods: [period] });
        expect(hits.map((h) => h.exchange.id)).toEqual([may.id, january.id]);
        expect(hits[0]?.rank).toBeGreaterThan(hits[1]?.rank ?? Number.POSITIVE_INFINITY);
      });

      it("ranks what a speaker the query names said higher", async () => {
        const a = f.user();
        const text = { userMessage: "I adopted a puppy last week", botResponse: "Congratulations" };
        const joanna = (await store(a, { ...text, speaker: "Joanna", days: 1 })).exchange;
        const nate = (await store(a, { ...text, speaker: "Nate", days: 3 })).exchange;
        const hits = await f.archive.search(a, "what did Joanna say about the puppy", 10);
        expect(hits.map((h) => h.exchange.id)).toEqual([joanna.id, nate.id]);
        expect(hits[0]?.rank).toBeGreaterThan(hits[1]?.rank ?? Number.POSITIVE_INFINITY);
      });

      it("returns at most `limit` hits", async () => {
        const a = f.user();
        for (const days of [1, 3, 5]) await store(a, { userMessage: `the marathon, part ${days}`, days });
        expect(await f.archive.search(a, "marathon", 2)).toHaveLength(2);
        expect(await f.archive.search(a, "marathon", 10)).toHaveLength(3);
      });
    });

    it("bulk-inserts after each user's exchanges, oldest first, skipping (user, key) pairs present", async () => {
      const [a, b] = [f.user(), f.user()];
      const kept = (await store(a, { idempotencyKey: "k1", days: 1 })).exchange;
      const entry = (userId: string, key: string, days: number): NewExchange => ({
        id: crypto.randomUUID(),
        userId,
        userMessage: `message ${key}`,
        botResponse: "reply",
        metadata: { key },
        timestamp: new Date(start + days * day),
        idempotencyKey: key,
      });
      // Time, not key order, numbers them: kb is older than ka.
      const batch = [entry(a, "k1", 9), entry(a, "ka", 4), entry(a, "kb", 3), entry(b, "k1", 1)];
      const inserted = await f.archive.insertExchanges(batch, ["chroma"]);
      const byKey = new Map(inserted.map((e) => [`${e.userId} ${e.metadata.key}`, e]));
      expect(inserted).toHaveLength(3);
      expect(byKey.get(`${a} kb`)).toMatchObject({ id: batch[2]?.id, ordinal: 2, userMessage: "message kb" });
      expect(byKey.get(`${a} ka`)).toMatchObject({
        id: batch[1]?.id,
        ordinal: 3,
        createdAt: batch[1]?.timestamp,
      });
      expect(byKey.get(`${b} k1`)).toMatchObject({ id: batch[3]?.id, ordinal: 1 });
      expect((await f.archive.allExchanges(a)).map((e) => e.id)).toEqual([
        kept.id,
        batch[2]?.id,
        batch[1]?.id,
      ]);
      expect(await f.archive.byIds(a, [batch[0]?.id ?? ""])).toEqual([]);
      expect((await outboxRows(batch[1]?.id ?? "")).map((r) => r.tier)).toEqual(["chroma"]);
      expect(await outboxRows(batch[0]?.id ?? "")).toEqual([]);
      // The same batch again: everything is present.
      expect(await f.archive.insertExchanges(batch, ["chroma"])).toEqual([]);
      expect(await f.archive.exchangeCount(a)).toBe(3);
    });

    test(archiveCases.repeatedKeyInBatch, async () => {
      const a = f.user();
      const entry = (key: string, days: number): NewExchange => ({
        id: crypto.randomUUID(),
        userId: a,
        userMessage: key,
        botResponse: "reply",
        metadata: {},
        timestamp: new Date(start + days * day),
        idempotencyKey: key,
      });
      const inserted = await f.archive.insertExchanges([entry("k1", 1), entry("k1", 2), entry("k2", 3)], []);
      expect(inserted.map((e) => [e.userMessage, e.ordinal])).toEqual([
        ["k1", 1],
        ["k2", 2],
      ]);
      expect(await f.archive.exchangeCount(a)).toBe(2);
      expect(
        (await f.archive.insertExchange({ userId: a, userMessage: "m", botResponse: "r" }, [])).exchange
          .ordinal,
      ).toBe(3);
    });

    describe("sessions and agents", () => {
      /** User a: two sessions (s1 with agents x and y, s2 with x), and one exchange with neither. */
      const seed = async () => {
        const a = f.user();
        const s1x = (
          await store(a, { sessionId: "s1", agentId: "x", userMessage: "marathon training", days: 1 })
        ).exchange;
        const none = (await store(a, { userMessage: "marathon shoes", days: 2 })).exchange;
        const s2x = (await store(a, { sessionId: "s2", agentId: "x", userMessage: "marathon diet", days: 3 }))
          .exchange;
        const s1y = (await store(a, { sessionId: "s1", agentId: "y", userMessage: "marathon day", days: 4 }))
          .exchange;
        return { a, s1x, none, s2x, s1y };
      };

      it("keeps an exchange's session and agent, on every read and in a bulk write", async () => {
        const { a, s1x, none } = await seed();
        expect(s1x).toMatchObject({ sessionId: "s1", agentId: "x" });
        expect(none).not.toHaveProperty("sessionId");
        expect(none).not.toHaveProperty("agentId");
        expect((await f.archive.byIds(a, [s1x.id]))[0]).toEqual(s1x);
        expect((await f.archive.allExchanges(a))[0]).toEqual(s1x);
        const [bulk] = await f.archive.insertExchanges(
          [
            {
              id: crypto.randomUUID(),
              userId: a,
              userMessage: "bulk",
              botResponse: "r",
              sessionId: "s3",
              agentId: "z",
              metadata: {},
              timestamp: new Date(start + 9 * day),
              idempotencyKey: "bulk-1",
            },
          ],
          [],
        );
        expect(bulk).toMatchObject({ sessionId: "s3", agentId: "z" });
      });

      it("lists and searches what a metadata and time filter selects, as the shared cases say", async () => {
        const [a, b] = [f.user(), f.user()];
        const stored: Exchange[] = [];
        for (const [i, metadata] of filterExchanges.entries())
          stored.push(
            (
              await f.archive.insertExchange(
                {
                  userId: a,
                  userMessage: `marathon training ${i}`,
                  botResponse: "ok",
                  metadata,
                  timestamp: filterTime(i),
                },
                [],
              )
            ).exchange,
          );
        await store(b, { userMessage: "marathon training", metadata: { topic: "billing" } });
        for (const c of filterCases) {
          const filter = parseFilter(c.filter);
          const want = c.selects.map((i) => stored[i]?.id);
          expect(ids(await f.archive.recent(a, 50, { filter })), c.name).toEqual([...want].reverse());
          const hits = await f.archive.search(a, "marathon", 50, { filter });
          expect(hits.map((h) => h.exchange.id).sort(), c.name).toEqual([...want].sort());
        }
        const billing = parseFilter({ "metadata.topic": "billing" });
        expect(ids(await f.archive.recent(a, 1, { filter: billing }))).toEqual([stored[2]?.id]);
        const after = { createdAt: filterTime(2), ordinal: 3 };
        expect(ids(await f.archive.recent(a, 10, { before: after, filter: billing }))).toEqual([
          stored[0]?.id,
        ]);
        const scoped = await f.archive.recent(a, 10, { filter: billing, scope: { sessionId: "none" } });
        expect(scoped).toEqual([]);
      });

      it("lists and searches within a session, an agent, or both, newest first", async () => {
        const { a, s1x, s2x, s1y } = await seed();
        expect(ids(await f.archive.recent(a, 10, { scope: { sessionId: "s1" } }))).toEqual(ids([s1y, s1x]));
        expect(ids(await f.archive.recent(a, 10, { scope: { agentId: "x" } }))).toEqual(ids([s2x, s1x]));
        expect(ids(await f.archive.recent(a, 10, { scope: { sessionId: "s1", agentId: "x" } }))).toEqual(
          ids([s1x]),
        );
        expect(await f.archive.recent(a, 10, { scope: { sessionId: "nope" } })).toEqual([]);
        expect(await f.archive.recent(a, 10, { scope: {} })).toHaveLength(4);
        const page = await f.archive.recent(a, 1, {
          before: { createdAt: s1y.createdAt, ordinal: s1y.ordinal },
          scope: { sessionId: "s1" },
        });
        expect(ids(page)).toEqual(ids([s1x]));
        const hits = await f.archive.search(a, "marathon", 10, { scope: { sessionId: "s1" } });
        expect(hits.map((h) => h.exchange.id).sort()).toEqual(ids([s1x, s1y]).sort());
        expect(await f.archive.search(a, "marathon", 10, { scope: { agentId: "y" } })).toHaveLength(1);
        expect(await f.archive.search(a, "marathon", 10)).toHaveLength(4);
      });

      it("lists a user's sessions, the most recently active first, with their span, count and agents", async () => {
        const { a, s1x, s2x, s1y } = await seed();
        expect(await f.archive.sessions(a, 10)).toEqual([
          {
            sessionId: "s1",
            firstAt: s1x.createdAt,
            lastAt: s1y.createdAt,
            exchanges: 2,
            agentIds: ["x", "y"],
          },
          { sessionId: "s2", firstAt: s2x.createdAt, lastAt: s2x.createdAt, exchanges: 1, agentIds: ["x"] },
        ]);
        expect((await f.archive.sessions(a, 1)).map((s) => s.sessionId)).toEqual(["s1"]);
        expect(await f.archive.sessions(f.user(), 10)).toEqual([]);
      });

      it("keeps a summary's session and agent", async () => {
        const { a } = await seed();
        await f.archive.rewriteWindows([{ userId: a, windowIndex: 0 }], 2, async (w) => [
          {
            userId: a,
            windowIndex: 0,
            text: "t",
            exchangeIds: ids(w),
            startAt: w[0]?.createdAt ?? new Date(0),
            endAt: w[1]?.createdAt ?? new Date(0),
            agentId: "x",
          },
        ]);
        const [saved] = await f.archive.summaries(a);
        expect(saved).toMatchObject({ agentId: "x" });
        expect(saved).not.toHaveProperty("sessionId");
      });
    });

    describe("window summaries", () => {
      const summariesOf = (exchanges: Exchange[], size: number, label: string): Summary[] =>
        [...Map.groupBy(exchanges, (e) => `${e.userId} ${Math.floor((e.ordinal - 1) / size)}`).values()].map(
          (w) => ({
            userId: w[0]?.userId ?? "",
            windowIndex: Math.floor(((w[0]?.ordinal ?? 1) - 1) / size),
            text: `${label}: ${w.map((e) => e.ordinal).join(",")}`,
            exchangeIds: w.map((e) => e.id),
            startAt: w[0]?.createdAt ?? new Date(0),
            endAt: w[w.length - 1]?.createdAt ?? new Date(0),
          }),
        );

      it("hands summarize the windows' exchanges by user, then ordinal, and saves what it returns", async () => {
        const [a, b] = [f.user(), f.user()];
        const as: Exchange[] = [];
        for (let i = 0; i < 5; i++) as.push((await store(a, { days: i })).exchange);
        const bs = [(await store(b, { days: 1 })).exchange, (await store(b, { days: 2 })).exchange];
        const handed: Exchange[][] = [];
        const windows = [
          { userId: b, windowIndex: 0 },
          { userId: a, windowIndex: 1 },
          { userId: a, windowIndex: 0 },
        ];
        await f.archive.rewriteWindows(windows, 2, async (exchanges) => {
          handed.push(exchanges);
          return summariesOf(exchanges, 2, "v1");
        });
        expect(handed.map(ids)).toEqual([ids([...as.slice(0, 4), ...bs])]);
        const saved = await f.archive.summaries(a);
        expect(saved).toEqual(summariesOf(as.slice(0, 4), 2, "v1"));
        expect((await f.archive.summaries(b)).map((s) => s.text)).toEqual(["v1: 1,2"]);
        // A rewrite overwrites the window's summary.
        await f.archive.rewriteWindows([{ userId: a, windowIndex: 1 }], 2, async (x) =>
          summariesOf(x, 2, "v2"),
        );
        expect((await f.archive.summaries(a)).map((s) => s.text)).toEqual(["v1: 1,2", "v2: 3,4"]);
      });

      it("saves nothing when summarize fails", async () => {
        const a = f.user();
        for (let i = 0; i < 3; i++) await store(a, { days: i });
        await f.archive.rewriteWindows([{ userId: a, windowIndex: 0 }], 2, async (x) =>
          summariesOf(x, 2, "v1"),
        );
        await expect(
          f.archive.rewriteWindows(
            [
              { userId: a, windowIndex: 0 },
              { userId: a, windowIndex: 1 },
            ],
            2,
            async () => {
              throw new Error("summarizer down");
            },
          ),
        ).rejects.toThrow("summarizer down");
        expect((await f.archive.summaries(a)).map((s) => s.text)).toEqual(["v1: 1,2"]);
      });

      it("lets two rewrites of one window finish in order, so the later one's summary stays", async () => {
        const a = f.user();
        await store(a);
        const window = [{ userId: a, windowIndex: 0 }];
        let entered!: () => void;
        let release!: () => void;
        const inFirst = new Promise<void>((resolve) => (entered = resolve));
        const gate = new Promise<void>((resolve) => (release = resolve));
        const first = f.archive.rewriteWindows(window, 2, async (x) => {
          entered();
          await gate;
          return summariesOf(x, 2, "first");
        });
        await inFirst;
        const second = f.archive.rewriteWindows(window, 2, async (x) => summariesOf(x, 2, "second"));
        await sleep(100);
        release();
        await Promise.all([first, second]);
        expect((await f.archive.summaries(a)).map((s) => s.text)).toEqual(["second: 1"]);
      });
    });

    oneExchangeCases(() => f);

    it("erases a user's exchanges, summaries and outbox rows, returning how many exchanges", async () => {
      const [a, b] = [f.user(), f.user()];
      const as: Exchange[] = [];
      for (let i = 0; i < 3; i++)
        as.push((await store(a, { userMessage: "volcano trip", days: i }, ["redis"])).exchange);
      const b1 = (await store(b, { userMessage: "volcano trip" }, ["redis"])).exchange;
      await f.archive.rewriteWindows([{ userId: a, windowIndex: 0 }], 3, async (x) => [
        {
          userId: a,
          windowIndex: 0,
          text: "s",
          exchangeIds: ids(x),
          startAt: new Date(start),
          endAt: new Date(start),
        },
      ]);
      expect(await f.archive.summaries(a)).toHaveLength(1);
      expect(await f.archive.eraseUser(a, ["redis"])).toBe(3);
      expect(await f.archive.allExchanges(a)).toEqual([]);
      expect(await f.archive.summaries(a)).toEqual([]);
      expect(await f.archive.exchangeCount(a)).toBe(0);
      expect(await f.archive.recent(a, 10)).toEqual([]);
      expect(await f.archive.search(a, "volcano", 10)).toEqual([]);
      for (const e of as) expect(await outboxRows(e.id)).toEqual([]);
      expect(await f.archive.userIds(a.slice(0, -1), 10)).not.toContain(a);
      // Nothing of the other user goes, and erasing again erases nothing.
      expect(await f.archive.allExchanges(b)).toEqual([b1]);
      expect(await outboxRows(b1.id)).toHaveLength(1);
      expect(await f.archive.eraseUser(a, ["redis"])).toBe(0);
    });
  });
}
