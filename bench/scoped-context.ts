/**
 * Context assembly kept to a session or an agent, or filtered on metadata and time, against the same
 * requests unscoped, at a given archive size (issue 18: a scoped or filtered context within 20% of
 * the unscoped p50 at 100,000 exchanges).
 *
 *   npm run bench:scoped -- [--exchanges 100000] [--users 1000] [--session-length 10] [--samples 300]
 *     [--out bench/results/<date>-scoped-context.json]
 */
import { type Command, parseCommandLine, runMain } from "../infra/cli/run-cli.js";
import { parseFilter } from "../shared/domain/filter-grammar.js";
import { percentile } from "../shared/util/stats.js";
import { machine, publish } from "./report.js";

const command = {
  name: "bench:scoped",
  usage: [
    "npm run bench:scoped -- [--exchanges N] [--users N] [--session-length N] [--samples N] [--out FILE]",
  ],
  about: `
Loads N exchanges over the users into a fresh corner of the local emulation (database hm_bench_scoped),
every run of --session-length turns a session with an agent, a topic and a priority (its metadata), lets
the projections settle, then assembles the same context requests in process seven ways, interleaved:
unscoped, kept to the asker's latest session, kept to an agent, preferring the session, filtered to one
topic, filtered on a priority range and a time range, and an $or of a topic and a priority. Reports p50/p95/p99 of each and its p50 against
the unscoped one, with the machine and data size, as JSON (and markdown beside it with --out).`,
  options: {
    exchanges: { type: "string", value: "N", default: "100000", description: "exchanges stored" },
    users: { type: "string", value: "N", default: "1000", description: "users they are spread over" },
    "session-length": { type: "string", value: "N", default: "10", description: "turns per session" },
    samples: { type: "string", value: "N", default: "300", description: "requests measured per way" },
    out: {
      type: "string",
      value: "FILE",
      description: "write the result as JSON there, and as markdown beside it",
      defaultText: `bench/results/<today>-scoped-context.json`,
    },
  },
  notes: "Exit status: 0 measured; 1 it failed; 2 for a usage error.",
} satisfies Command;

const { values } = parseCommandLine(command);
const tenant = "scoped";

async function main() {
  const [{ conversation, question, userIdOf }, { freshBenchMemory }, { seededRandom }] = await Promise.all([
    import("./load/dataset.js"),
    import("./setup.js"),
    import("../shared/util/random.js"),
  ]);
  const [exchanges, users, sessionLength, samples] = [
    values.exchanges,
    values.users,
    values["session-length"],
    values.samples,
  ].map(Number) as [number, number, number, number];
  const { memory, pool } = await freshBenchMemory({
    database: "hm_bench_scoped",
    collection: "bench_scoped",
    redisDb: 5,
    tenant,
    // Eight shards: each Chroma collection costs about 21 MB before it holds anything.
    env: { HIERARCHICAL_MEMORY_CHROMADB_SHARDS: "8" },
  });
  const manager = memory.manager;
  try {
    const perUser = Math.floor(exchanges / users);
    const loadStarted = performance.now();
    for (let first = 0; first < users; first += 100) {
      const batch = [];
      for (let u = first; u < Math.min(users, first + 100); u++)
        batch.push(...conversation(tenant, u, perUser, 1, sessionLength));
      await manager.storeConversations(batch);
      if (first % 1000 === 0) console.error(`loaded ${(first + 100) * perUser} exchanges`);
    }
    await manager.reconcile({ maxBatches: 10_000 });
    const loadSeconds = Math.round((performance.now() - loadStarted) / 1000);
    // Chroma compacts for a while after a bulk load; measure after it.
    await new Promise((r) => setTimeout(r, 30_000));

    const lastSession = `s${Math.floor((perUser - 1) / sessionLength)}`;
    const halfway = new Date(Date.UTC(2025, 0, 1) + (perUser / 2) * 3_600_000).toISOString();
    const ways = {
      unscoped: {},
      session: { scope: { sessionId: lastSession }, scopeMode: "only" as const },
      agent: { scope: { agentId: "coach" }, scopeMode: "only" as const },
      preferSession: { scope: { sessionId: lastSession }, scopeMode: "prefer" as const },
      topic: { filter: parseFilter({ "metadata.topic": "travel" }) },
      priorityAndTime: {
        filter: parseFilter({ "metadata.priority": { $gte: 2 }, createdAt: { $gte: halfway } }),
      },
      topicOrPriority: {
        filter: parseFilter({ $or: [{ "metadata.topic": "health" }, { "metadata.priority": { $lt: 1 } }] }),
      },
    };
    type Way = keyof typeof ways;
    const ms = Object.fromEntries(Object.keys(ways).map((w) => [w, []])) as unknown as Record<Way, number[]>;
    const items = Object.fromEntries(Object.keys(ways).map((w) => [w, []])) as unknown as Record<
      Way,
      number[]
    >;
    const next = seededRandom(7);
    const warmUp = 50;
    for (let i = 0; i < samples + warmUp; i++) {
      const userId = userIdOf(tenant, Math.floor(next() * users));
      const currentQuery = question(next);
      // Every way asks the same request, in a rotating order, so drift hits all alike.
      const order = (Object.keys(ways) as (keyof typeof ways)[]).map(
        (_, k, all) => all[(k + i) % all.length],
      );
      for (const way of order) {
        if (!way) continue;
        const context = await manager.getConversationContext({ userId, currentQuery, ...ways[way] });
        if (i < warmUp) continue;
        ms[way].push(context.totalMs);
        items[way].push(context.items.length);
      }
    }
    const stats = (xs: number[]) => {
      const s = [...xs].sort((a, b) => a - b);
      const at = (q: number) => Math.round((percentile(s, q) ?? 0) * 100) / 100;
      return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
    };
    const unscopedP50 = stats(ms.unscoped).p50;
    const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM exchanges");
    const result = {
      benchmark: "scoped and filtered context assembly (issue 18)",
      at: new Date().toISOString(),
      machine: machine(),
      data: {
        exchanges: Number(rows[0]?.n ?? 0),
        users,
        perUser,
        sessionLength,
        sessionsPerUser: Math.ceil(perUser / sessionLength),
        loadSeconds,
      },
      samplesPerWay: samples,
      ways: Object.fromEntries(
        (Object.keys(ways) as (keyof typeof ways)[]).map((way) => {
          const s = stats(ms[way]);
          const meanItems = Math.round((items[way].reduce((a, b) => a + b, 0) / items[way].length) * 10) / 10;
          return [way, { ...s, vsUnscopedP50: Math.round((s.p50 / unscopedP50) * 100) / 100, meanItems }];
        }),
      ),
    };
    const out = values.out ?? `bench/results/${new Date().toISOString().slice(0, 10)}-scoped-context.json`;
    publish("Scoped and filtered context assembly", result, out);
  } finally {
    await pool.end();
    await memory.close();
  }
}

runMain(command, main);
