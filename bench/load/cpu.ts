/**
 * CPU time of every process on the machine, grouped by the service it belongs to (Linux /proc), so
 * a load step can say where its CPU went: milliseconds of CPU per request in the API, each store,
 * the bridges and the load generator. On a 2-core machine that, not latency, bounds throughput.
 */
import { readdirSync, readFileSync } from "node:fs";

export type CpuGroups = Record<string, number>;

export interface ProcessSnapshot {
  /** Cumulative CPU milliseconds (user + system) per group. */
  cpuMs: CpuGroups;
  /** Proportional set size per group, MiB: shared pages (Postgres's buffers) counted once. */
  memoryMiB: CpuGroups;
}

/** Clock ticks per second as Linux reports utime/stime: 100 on every mainstream kernel. */
const ticksPerSecond = 100;

/** Pss from smaps_rollup, in KiB: each shared page split among the processes that map it. */
function proportionalKiB(pid: number): number {
  const match = readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").match(/^Pss:\s+(\d+) kB/m);
  return Number(match?.[1] ?? 0);
}

/** One process's cumulative CPU milliseconds (user + system) and proportional set size in MiB. */
export function processUsage(pid: number): { cpuMs: number; pssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { cpuMs: (ticks * 1000) / ticksPerSecond, pssMiB: proportionalKiB(pid) / 1024 };
}

function groupOf(pid: number, comm: string, cmdline: string, apiPid: number): string | undefined {
  if (pid === apiPid) return "api";
  if (pid === process.pid) return "loadGenerator";
  if (comm === "postgres") return "postgres";
  if (comm === "redis-server") return "redis";
  if (comm === "java" && cmdline.includes("Neo4jLocal")) return "neo4j";
  if (cmdline.includes("chroma-process")) return "chroma";
  // The supervisor runs the Upstash REST and Neon WebSocket bridges in its event loop.
  if (cmdline.includes("infra/local/supervisor")) return "bridges";
  return undefined;
}

export function processSnapshot(apiPid: number): ProcessSnapshot {
  const cpuMs: CpuGroups = {};
  const memoryMiB: CpuGroups = {};
  for (const entry of readdirSync("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      // comm is in parentheses and may hold spaces.
      const comm = stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")"));
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      const group = groupOf(pid, comm, cmdline, apiPid);
      if (!group) continue;
      const usage = processUsage(pid);
      cpuMs[group] = (cpuMs[group] ?? 0) + usage.cpuMs;
      memoryMiB[group] = Math.round((memoryMiB[group] ?? 0) + usage.pssMiB);
    } catch {
      // The process ended between listing and reading.
    }
  }
  return { cpuMs, memoryMiB };
}

/** CPU milliseconds each group spent per request between two snapshots. */
export function cpuPerRequest(before: ProcessSnapshot, after: ProcessSnapshot, requests: number): CpuGroups {
  const per: CpuGroups = {};
  for (const [group, ms] of Object.entries(after.cpuMs))
    per[group] = Math.round(((ms - (before.cpuMs[group] ?? 0)) / Math.max(1, requests)) * 100) / 100;
  return per;
}

/**
 * Waits until the stores stop working on their own (after a bulk load Chroma keeps indexing for a
 * while, and queries meanwhile miss the deadline): every group below `busyShare` of one core over
 * 2 s and, with `owed`, no projection left in the outbox; or `maxSeconds`. Returns the seconds waited.
 */
export async function settle(
  apiPid: number,
  busyShare = 0.15,
  maxSeconds = 300,
  owed: () => Promise<number> = async () => 0,
): Promise<number> {
  const started = performance.now();
  for (;;) {
    const before = processSnapshot(apiPid);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const after = processSnapshot(apiPid);
    const busiest = Math.max(
      ...["chroma", "neo4j", "postgres", "api"].map(
        (g) => ((after.cpuMs[g] ?? 0) - (before.cpuMs[g] ?? 0)) / 2000,
      ),
    );
    const waited = (performance.now() - started) / 1000;
    if ((busiest < busyShare && (await owed()) === 0) || waited >= maxSeconds) return Math.round(waited);
  }
}
