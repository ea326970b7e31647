/**
 * One shard count's run of bench:shards, on a Chroma server of its own (removed afterwards): bulk
 * writes, a store's single write, settle, searches quiet and beside a writer, memory and disk.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ChromaClient } from "chromadb";
import { startChroma } from "../../infra/local/services/chroma.js";
import type { Summary } from "../../shared/domain/types.js";
import { HashingEmbedder } from "../../shared/processing/embedder.js";
import { ChromaSummaryIndex } from "../../shared/tiers/chroma/summary-index.js";
import type { IndexedExchange } from "../../shared/tiers/summary-index.js";
import { seededRandom } from "../../shared/util/random.js";
import { processUsage } from "../load/cpu.js";
import { conversation, userIdOf } from "../load/dataset.js";
import { timingStats } from "../report.js";

const tenant = "shards";
const embedder = new HashingEmbedder(512);

/** User u's one window and one exchange, with their vectors (the same text: a window of one). */
function recordsOf(u: number, version = 0) {
  const [input] = conversation(tenant, u, 1);
  const text = `${input?.userMessage ?? ""} ${input?.botResponse ?? ""} ${version || ""}`.trim();
  const userId = userIdOf(tenant, u);
  const at = new Date(Date.UTC(2025, 0, 1));
  const embedding = embedder.embedOne(text);
  const summary: Summary = { userId, windowIndex: 0, text, exchangeIds: [`e${u}`], startAt: at, endAt: at };
  const exchange: IndexedExchange = { userId, exchangeId: `e${u}`, windowIndex: 0, text, createdAt: at };
  return { window: { summary, embedding }, exchange: { exchange, embedding } };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Waits until the server used under 5% of a core in each of two 2 s spans in a row, or `maxSeconds`;
 * returns the seconds waited.
 */
async function settle(pid: number, maxSeconds: number): Promise<number> {
  const started = performance.now();
  for (let quiet = 0; quiet < 2; ) {
    const before = processUsage(pid).cpuMs;
    await sleep(2000);
    quiet = (processUsage(pid).cpuMs - before) / 2000 < 0.05 ? quiet + 1 : 0;
    if ((performance.now() - started) / 1000 >= maxSeconds) break;
  }
  return Math.round((performance.now() - started) / 1000);
}

export async function measureShardCount(options: {
  shards: number;
  users: number;
  chunk: number;
  queries: number;
  settleSeconds: number;
}) {
  const { shards, users, chunk, queries } = options;
  const dir = join(tmpdir(), `hm-bench-shards-${shards}`);
  rmSync(dir, { recursive: true, force: true });
  const chroma = await startChroma(dir);
  const pid = chroma.child.pid ?? 0;
  try {
    const { port } = new URL(chroma.url);
    const index = new ChromaSummaryIndex(
      new ChromaClient({ host: "127.0.0.1", port: Number(port) }),
      "shards",
      shards,
    );
    const created = performance.now();
    await index.all();
    const emptyCollections = {
      createMs: Math.round(performance.now() - created),
      pssMiB: Math.round(processUsage(pid).pssMiB),
      diskMiB: diskMiB(dir),
    };

    const cpuBefore = processUsage(pid).cpuMs;
    const writeStarted = performance.now();
    for (let first = 0; first < users; first += chunk) {
      const records = Array.from({ length: Math.min(chunk, users - first) }, (_, i) => recordsOf(first + i));
      await index.upsert(
        records.map((r) => r.window),
        records.map((r) => r.exchange),
      );
    }
    const writeSeconds = (performance.now() - writeStarted) / 1000;
    const bulk = {
      seconds: Math.round(writeSeconds * 10) / 10,
      recordsPerSecond: Math.round((2 * users) / writeSeconds),
      chromaCpuMsPerRecord: Math.round(((processUsage(pid).cpuMs - cpuBefore) / (2 * users)) * 100) / 100,
    };
    const settleSeconds = await settle(pid, options.settleSeconds);

    const next = seededRandom(shards);
    const randomUser = () => Math.floor(next() * users);
    // A store's write: one user's window rewritten and its new exchange's vector, one call.
    const singleWrite: number[] = [];
    for (let i = 0; i < 100; i++) {
      const r = recordsOf(randomUser(), i + 1);
      const t = performance.now();
      await index.upsert([r.window], [r.exchange]);
      singleWrite.push(performance.now() - t);
    }
    await settle(pid, options.settleSeconds);

    const search = async () => {
      const ms: number[] = [];
      for (let i = 0; i < queries; i++) {
        const u = randomUser();
        const vector = embedder.embedOne(`what did ${u} do in Lisbon`);
        const t = performance.now();
        await index.search(userIdOf(tenant, u), vector, 5);
        ms.push(performance.now() - t);
      }
      return timingStats(ms);
    };
    const quiet = await search();
    // One writer storing continuously, as a busy bot's stores do beside its context reads.
    let writing = true;
    const writer = (async () => {
      for (let v = 1000; writing; v++) {
        const r = recordsOf(randomUser(), v);
        await index.upsert([r.window], [r.exchange]);
      }
    })();
    const besideWrites = await search();
    writing = false;
    await writer;

    return {
      shards,
      emptyCollections,
      bulk,
      settleSecondsAfterBulk: settleSeconds,
      singleWriteMs: timingStats(singleWrite),
      searchMs: { quiet, besideOneWriter: besideWrites },
      chroma: { pssMiB: Math.round(processUsage(pid).pssMiB), diskMiB: diskMiB(dir) },
    };
  } finally {
    chroma.child.kill("SIGKILL");
    await sleep(500);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The folder's size on disk, MiB (du counts the blocks files hold, not their apparent size). */
function diskMiB(dir: string): number {
  return Math.round(Number(execFileSync("du", ["-sk", dir]).toString().split("\t")[0]) / 1024);
}
