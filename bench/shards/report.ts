/** bench:shards' markdown: one row per shard count, the measures side by side. */
import type { measureShardCount } from "./measure.js";

type Run = Awaited<ReturnType<typeof measureShardCount>>;

export function shardsMarkdown(result: {
  at: string;
  machine: { cpu: string; cores: number; memoryGiB: number; node: string };
  data: { users: number; recordsPerUser: number; dimensions: number; chunkUsers: number; queries: number };
  runs: Run[];
}): string {
  const { machine: m, data: d } = result;
  const rows = result.runs.map((r) =>
    [
      r.shards,
      Math.round((d.users * d.recordsPerUser) / r.shards).toLocaleString("en"),
      r.bulk.recordsPerSecond,
      r.bulk.chromaCpuMsPerRecord,
      r.settleSecondsAfterBulk,
      `${r.singleWriteMs.p50} / ${r.singleWriteMs.p95}`,
      `${r.searchMs.quiet.p50} / ${r.searchMs.quiet.p95}`,
      `${r.searchMs.besideOneWriter.p50} / ${r.searchMs.besideOneWriter.p95}`,
      r.emptyCollections.pssMiB,
      r.chroma.pssMiB,
      r.chroma.diskMiB,
    ].join(" | "),
  );
  return `# Summary index shard count

${result.at} · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · Node ${m.node} · ${d.users.toLocaleString("en")} users, ${d.recordsPerUser} records each (a window summary and an exchange vector, ${d.dimensions} dimensions), written ${d.chunkUsers} users a call as the bulk paths do; ${d.queries} searches of random users per column. Each count ran on a Chroma server of its own, on an empty folder.

| shards | records per collection | bulk records/s | Chroma CPU ms per record | settle s | single write p50 / p95 ms | search quiet p50 / p95 ms | search beside a writer p50 / p95 ms | Chroma PSS empty MiB | Chroma PSS MiB | disk MiB |
|---|---|---|---|---|---|---|---|---|---|---|
${rows.map((r) => `| ${r} |`).join("\n")}
`;
}
