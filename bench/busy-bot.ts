/**
 * A busy bot (issue 20): a few clients, each storing an exchange and then asking for context, over a
 * handful of users, for a while, over HTTP against the app on a real server with the default deadline.
 * Reports how many context answers came back degraded (and by which tier), and context and store
 * latency, with the machine and the settings.
 *
 *   npm run bench:busy-bot -- [--clients 4] [--users 8] [--seconds 40] [--embedder hashing|local] [--out FILE]
 */
import type { AddressInfo } from "node:net";
import { type Command, parseCommandLine, runMain } from "../infra/cli/run-cli.js";
import { percentile } from "../shared/util/stats.js";
import { benchExitStatus, embedderOf, embedderOption, machine, outOption, publish } from "./report.js";

const command = {
  name: "bench:busy-bot",
  usage: [
    "npm run bench:busy-bot -- [--clients N] [--users N] [--seconds N] [--embedder hashing|local] [--out FILE]",
  ],
  about: `
A busy bot against the app served over HTTP on this machine (fresh corner of the local emulation: database
hm_bench_busy, tenant "busy", default settings but no rate limit, so the default 100 ms context deadline): --clients
clients, each in a loop storing an exchange for a user and then asking for that user's context, over
--users users, for --seconds, with the outbox worker running every 5 s as in the local server. Reports the
share of context answers degraded (by tier), context and store latency (p50/p95/p99), requests done, the
projections still owed when the load stopped (outbox rows) and how long the worker took to apply them, with
the machine, as JSON.`,
  options: {
    clients: { type: "string", value: "N", default: "4", description: "clients storing and asking at once" },
    users: { type: "string", value: "N", default: "8", description: "users they take turns on" },
    seconds: { type: "string", value: "N", default: "40", description: "how long the load runs" },
    embedder: embedderOption,
    out: outOption,
  },
  notes: benchExitStatus,
} satisfies Command;

const { values } = parseCommandLine(command);

const topics = [
  ["My sister Ana moved to Lisbon last spring.", "Lisbon is lovely in spring!"],
  ["I adopted a cat named Bailey.", "Bailey is a great name."],
  ["I'm training for a half marathon in October.", "Good luck with the training!"],
  ["Work has been stressful since the reorg.", "That sounds hard; want to talk about it?"],
  ["We're planning a trip to Kyoto next year.", "Kyoto in autumn is beautiful."],
] as const;
const questions = [
  "Where does Ana live?",
  "What pets do I have?",
  "What am I training for?",
  "Any travel plans?",
];

async function main() {
  const [{ serve }, { createApp }, { freshBenchMemory }] = await Promise.all([
    import("@hono/node-server"),
    import("../shared/app/create-app.js"),
    import("./setup.js"),
  ]);
  const [clients, users, seconds] = [values.clients, values.users, values.seconds].map(Number) as [
    number,
    number,
    number,
  ];
  const embedder = embedderOf(values.embedder);
  const { memory, pool } = await freshBenchMemory({
    database: "hm_bench_busy",
    collection: "bench_busy",
    redisDb: 7,
    tenant: "busy",
    // The load is the point: the per-tenant rate limit (600/min by default) would answer most of it 429.
    env: {
      HIERARCHICAL_MEMORY_RATE_LIMIT_PER_MINUTE: "0",
      HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER: embedder,
    },
  });
  const server = serve({ fetch: createApp(memory).fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { key } = await memory.keys.create("busy", "bench");
  const call = (path: string, body: unknown) =>
    fetch(`${base}${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  const storeMs: number[] = [];
  const contextMs: number[] = [];
  const degraded = new Map<string, number>();
  let degradedAnswers = 0;
  const failures = new Map<number, number>();
  const failed = (status: number) => failures.set(status, (failures.get(status) ?? 0) + 1);
  // As the local server does: the outbox worker every 5 s, for what the stores left to it.
  const worker = setInterval(() => void memory.manager.reconcile().catch(() => undefined), 5_000);
  const until = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; performance.now() < until; i++) {
        const userId = `user-${(c + i) % users}`;
        const [userMessage, botResponse] = topics[(c * 7 + i) % topics.length] ?? topics[0];
        let started = performance.now();
        const stored = await call(`/v1/users/${userId}/conversations`, { userMessage, botResponse });
        storeMs.push(performance.now() - started);
        if (stored.status !== 201) failed(stored.status);
        await stored.body?.cancel();
        started = performance.now();
        const answer = await call(`/v1/users/${userId}/context`, { query: questions[i % questions.length] });
        contextMs.push(performance.now() - started);
        if (answer.status !== 200) {
          failed(answer.status);
          await answer.body?.cancel();
          continue;
        }
        const context = (await answer.json()) as { degraded: string[] };
        if (context.degraded.length > 0) degradedAnswers++;
        for (const tier of context.degraded) degraded.set(tier, (degraded.get(tier) ?? 0) + 1);
      }
    }),
  );
  clearInterval(worker);
  // The projections still owed when the load stopped, and how long the worker took to catch up.
  const backlog = async () =>
    Number((await pool.query<{ n: string }>("SELECT count(*) AS n FROM outbox")).rows[0]?.n ?? 0);
  const backlogAtEnd = await backlog();
  const drainStarted = performance.now();
  while ((await backlog()) > 0) await memory.manager.reconcile();
  const drainSeconds = Math.round((performance.now() - drainStarted) / 100) / 10;
  const pcts = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return { p50: percentile(sorted, 0.5), p95: percentile(sorted, 0.95), p99: percentile(sorted, 0.99) };
  };
  const result = {
    benchmark: "busy-bot",
    date: new Date().toISOString(),
    machine: machine(),
    clients,
    users,
    seconds,
    embedder:
      memory.config.embedding.provider === "local"
        ? `local:${memory.config.embedding.localModel}`
        : memory.config.embedding.provider,
    deadlineMs: memory.config.contextAssemblyTimeoutMs,
    contexts: contextMs.length,
    degradedShare: Math.round((degradedAnswers / Math.max(1, contextMs.length)) * 1000) / 1000,
    degradedByTier: Object.fromEntries(degraded),
    failuresByStatus: Object.fromEntries(failures),
    contextMs: pcts(contextMs),
    storeMs: pcts(storeMs),
    outboxRowsAtEnd: backlogAtEnd,
    drainSeconds,
  };
  publish("Busy bot benchmark", result, values.out);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await memory.close();
  await pool.end();
}

runMain(command, main);
