/**
 * One memory at a time (issue 18) on the local emulation: how long reading one exchange by id,
 * correcting it until every tier has recomputed it, and deleting it until every tier has erased it
 * take, at a given archive size.
 *
 *   npm run bench:one-memory -- [--exchanges 5000] [--users 100] [--samples 100] [--out FILE]
 */
import { type Command, parseCommandLine, runMain } from "../infra/cli/run-cli.js";
import { machine, publish, timingStats } from "./report.js";

const command = {
  name: "bench:one-memory",
  usage: ["npm run bench:one-memory -- [--exchanges N] [--users N] [--samples N] [--out FILE]"],
  about: `
Loads N exchanges over the users into a fresh corner of the local emulation (database hm_bench_one),
lets the projections settle, then, for random exchanges, times in process: a read by id; a correction
answered once every tier (Redis list, window summary in Postgres and Chroma, Neo4j facts) has recomputed
it (the store budget is raised so it waits for them); and a delete answered once every tier has erased
it (it answers 204 only then). Reports p50/p95/p99 of each, with the machine and data size.`,
  options: {
    exchanges: { type: "string", value: "N", default: "5000", description: "exchanges stored" },
    users: { type: "string", value: "N", default: "100", description: "users they are spread over" },
    samples: { type: "string", value: "N", default: "100", description: "memories measured" },
    out: {
      type: "string",
      value: "FILE",
      description: "write the result as JSON there, and as markdown beside it",
      defaultText: `bench/results/<today>-one-memory.json`,
    },
  },
  notes: "Exit status: 0 measured; 1 it failed; 2 for a usage error.",
} satisfies Command;

const { values } = parseCommandLine(command);
const tenant = "one";

async function main() {
  const [{ conversation, userIdOf }, { freshBenchMemory }, { seededRandom }] = await Promise.all([
    import("./load/dataset.js"),
    import("./setup.js"),
    import("../shared/util/random.js"),
  ]);
  const [exchanges, users, samples] = [values.exchanges, values.users, values.samples].map(Number) as [
    number,
    number,
    number,
  ];
  const { memory, pool } = await freshBenchMemory({
    database: "hm_bench_one",
    collection: "bench_one",
    redisDb: 6,
    tenant,
    env: { HIERARCHICAL_MEMORY_CHROMADB_SHARDS: "4", HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "15000" },
  });
  const manager = memory.manager;
  try {
    const perUser = Math.floor(exchanges / users);
    for (let first = 0; first < users; first += 50) {
      const batch = [];
      for (let u = first; u < Math.min(users, first + 50); u++)
        batch.push(...conversation(tenant, u, perUser, 1, 10));
      await manager.storeConversations(batch);
    }
    await manager.reconcile({ maxBatches: 10_000 });
    const next = seededRandom(11);
    const ms = { read: [] as number[], correct: [] as number[], delete: [] as number[] };
    const pendingAfter = { correct: 0, delete: 0 };
    for (let i = 0; i < samples; i++) {
      const userId = userIdOf(tenant, Math.floor(next() * users));
      const { items } = await manager.listConversations(userId, 50);
      const target = items[Math.floor(next() * items.length)];
      if (!target) continue;
      let t = performance.now();
      await manager.getMemory(userId, target.id);
      ms.read.push(performance.now() - t);
      t = performance.now();
      const corrected = await manager.correctMemory(
        userId,
        target.id,
        { userMessage: `${target.userMessage} (corrected)` },
        "bench",
      );
      ms.correct.push(performance.now() - t);
      if (corrected.pending.length > 0) pendingAfter.correct++;
      t = performance.now();
      const deleted = await manager.deleteMemory(userId, target.id);
      ms.delete.push(performance.now() - t);
      if (deleted.pending.length > 0) pendingAfter.delete++;
    }
    const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM exchanges");
    const result = {
      benchmark: "one memory at a time (issue 18)",
      at: new Date().toISOString(),
      machine: machine(),
      data: {
        exchanges: Number(rows[0]?.n ?? 0),
        users,
        perUser,
        summaryWindow: memory.config.memory.summaryWindow,
      },
      ms: {
        read: timingStats(ms.read),
        correctEveryTier: timingStats(ms.correct),
        deleteEveryTier: timingStats(ms.delete),
      },
      answeredWithPending: pendingAfter,
    };
    const out = values.out ?? `bench/results/${new Date().toISOString().slice(0, 10)}-one-memory.json`;
    publish("One memory at a time", result, out);
  } finally {
    await pool.end();
    await memory.close();
  }
}

runMain(command, main);
