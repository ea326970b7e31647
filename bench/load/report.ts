/**
 * The load benchmark's report: the JSON result, PNG charts beside it, and a markdown page that
 * holds the numbers against the goals. Every figure is read from the result.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { basename, dirname } from "node:path";
import { type Series, writeChartPng } from "../plot.js";
import type { HttpResult } from "./http-load.js";

type Percentiles = { p50: number; p95: number; p99: number };

export interface SizeResult {
  size: number;
  storedAtEnd: number;
  loadSeconds: number;
  /** Seconds the stores kept working after the bulk load, before the measurements began. */
  settleSeconds?: number;
  /** Exchanges whose bulk projection to a tier failed (left to the worker), by tier. */
  bulkPending?: Record<string, number>;
  /** Projections still owed (outbox rows) when the size's measurements began: a store not yet whole. */
  outboxRowsAtStart?: number;
  /** One context request a Chroma shard, one at a time, after settling (runs before it show none). */
  warmUpSeconds?: number;
  legacyLoadSeconds?: number;
  storeHttp: HttpResult[];
  contextHttp: HttpResult[];
  tierMs: Record<string, Percentiles>;
  contextServerTotalMs: Percentiles;
  assemblyInProcessMs: Percentiles;
  legacyInProcessMs?: Percentiles;
  legacyOverHierarchicalP50?: number;
  memoryMiB: Record<string, number>;
}

export interface LoadResult {
  benchmark: string;
  date: string;
  machine: Record<string, unknown>;
  /** What was found about the run after it (added by hand to the JSON; printed under the header). */
  notes?: string[];
  /** The embedder of stores and queries (runs before it was recorded used the emulation's). */
  embedder?: string;
  users: number;
  seconds: number;
  /** Runs of each HTTP step (the median run is reported). */
  repeat?: number;
  sizes: SizeResult[];
  coldStart: Record<string, unknown>;
  wallSeconds: number;
}

const fmt = (n: number | undefined) => (n === undefined ? "–" : n.toLocaleString("en-US"));
const table = (head: string[], rows: (string | number | undefined)[][]) =>
  [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.map((c) => (typeof c === "number" ? fmt(c) : (c ?? "–"))).join(" | ")} |`),
  ].join("\n");

function goals(r: LoadResult): string {
  const first = r.sizes[0];
  const last = r.sizes.at(-1);
  if (!first || !last) return "";
  const oneConnection = (s: SizeResult) => s.contextHttp.find((c) => c.connections === 1) ?? s.contextHttp[0];
  const bestRps = Math.max(...r.sizes.flatMap((s) => s.contextHttp.map((c) => c.requestsPerSecond)));
  const storeP99 = Math.max(...r.sizes.map((s) => s.storeHttp[0]?.latencyMs.p99 ?? 0));
  const at = `at ${fmt(last.size)} stored`;
  const row = (goal: string, measured: number | undefined, target: number, atMost: boolean) => {
    const met = measured !== undefined && (atMost ? measured <= target : measured >= target);
    const by = measured === undefined ? "" : atMost ? measured / target : target / measured;
    return [
      goal,
      measured === undefined ? "–" : String(measured),
      measured === undefined
        ? "not measured in this run"
        : met
          ? "met"
          : `missed (${Number(by).toFixed(1)}x)`,
    ];
  };
  return table(
    ["goal", "measured", "verdict"],
    [
      row(
        `context p50 over HTTP, 1 connection, ${at} (ms) <= 10`,
        oneConnection(last)?.latencyMs.p50,
        10,
        true,
      ),
      row(
        `context p99 over HTTP, 1 connection, ${at} (ms) <= 40`,
        oneConnection(last)?.latencyMs.p99,
        40,
        true,
      ),
      row(
        `context p50 ${at} / p50 at ${fmt(first.size)} <= 1.3`,
        ratio(oneConnection(last)?.latencyMs.p50, oneConnection(first)?.latencyMs.p50),
        1.3,
        true,
      ),
      row("store p99 over HTTP, 1 connection, worst size (ms) <= 30", storeP99, 30, true),
      row("context requests/s, best step >= 1,000", bestRps, 1000, false),
      row(
        `legacy p50 / hierarchical p50, in process, ${at} >= 10`,
        last.legacyOverHierarchicalP50,
        10,
        false,
      ),
      row(
        `CPU per context request in the API process, 1 connection, ${at} (ms) <= 1.0 (all processes: ${
          oneConnection(last) ? fmt(cpuTotal(oneConnection(last)?.cpuMsPerRequest ?? {})) : "–"
        })`,
        oneConnection(last)?.cpuMsPerRequest.api,
        1,
        true,
      ),
      // A Lambda container serves one request at a time: the 1-connection step is its load.
      oneConnection(last)?.apiMemoryMiB === undefined
        ? row(`API process memory after the load ${at} (MiB) <= 256`, last.memoryMiB.api, 256, true)
        : row(
            `API process memory after the 1-connection step ${at} (MiB) <= 256 (after every step: ${fmt(last.memoryMiB.api)})`,
            oneConnection(last)?.apiMemoryMiB,
            256,
            true,
          ),
      row(
        "API bundle, minified (MB) <= 1",
        cold("apiBundleBytes", (b) => Math.round(b / 10_000) / 100),
        1,
        true,
      ),
      row("API bundle import (ms) <= 250", cold("importMs"), 250, true),
      row(
        "first answer after the import (ms) <= 100",
        cold("firstResponseMs", (first) => first - (cold("importMs") ?? first)),
        100,
        true,
      ),
    ],
  );

  /** A figure of the cold start (smoke:bundle's line), when it ran. */
  function cold(key: string, as: (n: number) => number = (n) => n): number | undefined {
    const value = r.coldStart[key];
    return typeof value === "number" ? as(value) : undefined;
  }
}

const cpuTotal = (byProcess: Record<string, number>) =>
  Math.round(Object.values(byProcess).reduce((a, b) => a + b, 0) * 100) / 100;

/** A figure's range over a repeated step's runs ("12-15"), or "-" for a single run. */
const spread = (c: HttpResult, pick: (run: NonNullable<HttpResult["runs"]>[number]) => number) => {
  if (!c.runs || c.runs.length < 2) return "-";
  const xs = c.runs.map(pick);
  return `${Math.min(...xs)}-${Math.max(...xs)}`;
};

/** One row per size and connection count of an autocannon step list (the median of repeated runs). */
const httpTable = (r: LoadResult, steps: "contextHttp" | "storeHttp") =>
  table(
    [
      "stored",
      "connections",
      "req/s",
      "p50 ms",
      "p90 ms",
      "p95 ms",
      "p99 ms",
      "p50 over runs",
      "p99 over runs",
      "errors",
      "non-2xx",
    ],
    r.sizes.flatMap((s) =>
      s[steps].map((c) => {
        const l = c.latencyMs;
        return [
          s.size,
          c.connections,
          c.requestsPerSecond,
          l.p50,
          l.p90,
          l.p95,
          l.p99,
          spread(c, (run) => run.p50),
          spread(c, (run) => run.p99),
          c.errors + c.timeouts,
          c.non2xx,
        ];
      }),
    ),
  );

const ratio = (a?: number, b?: number) => (a && b ? Math.round((a / b) * 100) / 100 : undefined);

function charts(r: LoadResult, out: string): string[] {
  const base = out.replace(/\.json$/, "");
  const sizes = r.sizes.map((s) => s.size);
  const bySize = (name: string, y: (s: SizeResult) => number | undefined): Series => ({
    name,
    points: r.sizes.flatMap((s) =>
      y(s) === undefined ? [] : [[s.size, y(s) as number] as [number, number]],
    ),
  });
  const one = (s: SizeResult) => s.contextHttp.find((c) => c.connections === 1);
  const list: [string, Parameters<typeof writeChartPng>[0]][] = [
    [
      "size",
      {
        title: "Context latency vs stored exchanges (1 connection)",
        xLabel: "stored exchanges",
        yLabel: "ms",
        logX: sizes.length > 1,
        series: [
          bySize("HTTP p50", (s) => one(s)?.latencyMs.p50),
          bySize("HTTP p99", (s) => one(s)?.latencyMs.p99),
          bySize("server p50", (s) => s.contextServerTotalMs.p50),
          bySize("legacy p50", (s) => s.legacyInProcessMs?.p50),
          bySize("in-process p50", (s) => s.assemblyInProcessMs.p50),
        ],
      },
    ],
    [
      "concurrency",
      {
        title: "Context latency vs connections",
        xLabel: "connections",
        yLabel: "ms",
        logX: true,
        series: r.sizes.flatMap((s) => [
          {
            name: `p50 @ ${fmt(s.size)}`,
            points: s.contextHttp.map((c) => [c.connections, c.latencyMs.p50]),
          },
          {
            name: `p99 @ ${fmt(s.size)}`,
            points: s.contextHttp.map((c) => [c.connections, c.latencyMs.p99]),
          },
        ]),
      },
    ],
    [
      "throughput",
      {
        title: "Context requests/s vs connections",
        xLabel: "connections",
        yLabel: "requests/s",
        logX: true,
        series: r.sizes.map((s) => ({
          name: `${fmt(s.size)} stored`,
          points: s.contextHttp.map((c) => [c.connections, c.requestsPerSecond]),
        })),
      },
    ],
    [
      "tiers",
      {
        title: "Each tier's own p50 vs stored exchanges",
        xLabel: "stored exchanges",
        yLabel: "ms",
        logX: sizes.length > 1,
        series: [...new Set(r.sizes.flatMap((s) => Object.keys(s.tierMs)))].map((tier) =>
          bySize(tier, (s) => s.tierMs[tier]?.p50),
        ),
      },
    ],
  ];
  return list.map(([name, chart]) => {
    const path = `${base}-${name}.png`;
    writeChartPng(chart, path);
    return `![${chart.title}](${basename(path)})`;
  });
}

export function writeLoadReport(r: LoadResult, out: string) {
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(r, null, 2)}\n`);
  const m = r.machine;
  const busiest = (s: SizeResult) =>
    s.contextHttp.reduce((a, b) => (b.requestsPerSecond > a.requestsPerSecond ? b : a));
  const cpuGroups = [...new Set(r.sizes.flatMap((s) => Object.keys(busiest(s).cpuMsPerRequest)))].sort();
  const md = [
    "# Load benchmark",
    "",
    `${r.date} · ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB · Node ${m.node} · ${fmt(r.users)} users · embedder ${r.embedder ?? "as the emulation set it"} · ${r.seconds} s per step · whole run ${fmt(r.wallSeconds)} s. All four stores, their bridges, the API and the load generator share this machine.`,
    "",
    ...(r.notes ?? []).flatMap((note) => [`> ${note}`, ""]),
    "## Goals",
    "",
    goals(r),
    "",
    "## Context over HTTP (autocannon, API in its own process)",
    "",
    "p50, p90 and p99 from autocannon's histogram; p95 ranked from every response time (runs before it was added show –).",
    "",
    httpTable(r, "contextHttp"),
    "",
    "## Stores over HTTP",
    "",
    httpTable(r, "storeHttp"),
    "",
    "## Server side, each tier, and the legacy design (sequential requests)",
    "",
    table(
      [
        "stored",
        "bulk load s",
        "settle s",
        "outbox rows at start",
        "server total p50/p99",
        ...Object.keys(r.sizes[0]?.tierMs ?? {}).map((t) => `${t} p50/p99`),
        "in-process p50",
        "legacy p50",
        "legacy / hierarchical",
        "legacy load s",
      ],
      r.sizes.map((s) => [
        s.size,
        s.loadSeconds,
        s.settleSeconds,
        s.outboxRowsAtStart,
        `${s.contextServerTotalMs.p50} / ${s.contextServerTotalMs.p99}`,
        ...Object.keys(r.sizes[0]?.tierMs ?? {}).map((t) => `${s.tierMs[t]?.p50} / ${s.tierMs[t]?.p99}`),
        s.assemblyInProcessMs.p50,
        s.legacyInProcessMs?.p50,
        s.legacyOverHierarchicalP50,
        s.legacyLoadSeconds,
      ]),
    ),
    "",
    "## Where the CPU goes (ms of CPU per context request, at the busiest step of each size)",
    "",
    table(
      ["stored", "connections", ...cpuGroups, "total"],
      r.sizes.map((s) => {
        const b = busiest(s);
        const total = Object.values(b.cpuMsPerRequest).reduce((x, y) => x + y, 0);
        return [
          s.size,
          b.connections,
          ...cpuGroups.map((g) => b.cpuMsPerRequest[g]),
          Math.round(total * 100) / 100,
        ];
      }),
    ),
    "",
    "## Memory (proportional set size in MiB at the end of each size)",
    "",
    table(
      ["stored", ...cpuGroups],
      r.sizes.map((s) => [s.size, ...cpuGroups.map((g) => s.memoryMiB[g])]),
    ),
    "",
    "## Cold start of the bundled API function",
    "",
    table(
      ["measure", "value"],
      Object.entries(r.coldStart).map(([k, v]) => [k, typeof v === "object" ? JSON.stringify(v) : String(v)]),
    ),
    "",
    "## Charts",
    "",
    ...charts(r, out),
    "",
  ].join("\n");
  writeFileSync(out.replace(/\.json$/, ".md"), md);
}
