/** Load over HTTP with autocannon: stores or context requests spread over many user ids. */
import autocannon from "autocannon";
import { seededRandom } from "../../shared/util/random.js";
import { percentile } from "../../shared/util/stats.js";
import { cpuPerRequest, processSnapshot } from "./cpu.js";
import { question } from "./dataset.js";

export interface HttpResult {
  connections: number;
  requestsPerSecond: number;
  /** p95 is ranked from every response time; the others are autocannon's histogram. */
  latencyMs: { p50: number; p90: number; p95?: number; p97_5: number; p99: number; max: number };
  requests: number;
  non2xx: number;
  /** Answers by HTTP status. */
  statusCodes: Record<string, number>;
  errors: number;
  timeouts: number;
  /** CPU milliseconds per request in each process group (API, stores, bridges, load generator). */
  cpuMsPerRequest: Record<string, number>;
  /** The API process's proportional set size right after the step (runs before it show none). */
  apiMemoryMiB?: number;
  /** Each run of a repeated step (this result is the run with the median p50). */
  runs?: { p50: number; p99: number; requestsPerSecond: number }[];
}

/** Runs a step `times` times; the run with the median p50 stands for it, every run's figures kept beside. */
export async function repeated(times: number, step: () => Promise<HttpResult>): Promise<HttpResult> {
  const results: HttpResult[] = [];
  for (let i = 0; i < Math.max(1, times); i++) results.push(await step());
  const byP50 = [...results].sort((a, b) => a.latencyMs.p50 - b.latencyMs.p50);
  const median = byP50[Math.floor((byP50.length - 1) / 2)] as HttpResult;
  return {
    ...median,
    runs: results.map((r) => ({
      p50: r.latencyMs.p50,
      p99: r.latencyMs.p99,
      requestsPerSecond: r.requestsPerSecond,
    })),
  };
}

export async function httpLoad(options: {
  url: string;
  apiKey: string;
  /** mixed: a store and a context request per conversation turn, as a bot makes them. */
  kind: "store" | "context" | "mixed";
  connections: number;
  seconds: number;
  users: number;
  /** The API server's process id, to tell its CPU time from the rest. */
  apiPid: number;
}): Promise<HttpResult> {
  const next = seededRandom(options.connections * 7919 + ["store", "context", "mixed"].indexOf(options.kind));
  const before = processSnapshot(options.apiPid);
  // autocannon's histogram has no p95: every response time is kept and ranked here instead.
  const times: number[] = [];
  const load = {
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    headers: { authorization: `Bearer ${options.apiKey}`, "content-type": "application/json" },
    // Prebuilt requests (autocannon cycles through them): a request rebuilt per call by setupRequest
    // goes out in two writes and waits on delayed ACKs, adding ~90 ms that the server never sees.
    requests: Array.from({ length: 1000 }, (_, i) => {
      const user = `u${Math.floor(next() * options.users)}`;
      const store = options.kind === "store" || (options.kind === "mixed" && i % 2 === 0);
      const body = store
        ? { userMessage: `I just ${question(next).slice(9, -1)}`, botResponse: "Noted!" }
        : { query: question(next) };
      return {
        method: "POST" as const,
        path: `/v1/users/${user}/${store ? "conversations" : "context"}`,
        body: JSON.stringify(body),
      };
    }),
  };
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(load, (error, r) => (error ? reject(error) : resolve(r)));
    instance.on("response", (_client, _status, _bytes, ms) => times.push(ms));
  });
  const after = processSnapshot(options.apiPid);
  const l = result.latency;
  times.sort((a, b) => a - b);
  return {
    connections: options.connections,
    requestsPerSecond: Math.round(result.requests.average),
    latencyMs: {
      p50: l.p50,
      p90: l.p90,
      p95: Math.round((percentile(times, 0.95) ?? 0) * 10) / 10,
      p97_5: l.p97_5,
      p99: l.p99,
      max: l.max,
    },
    requests: result.requests.total,
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [
        code,
        (stat as { count: number }).count,
      ]),
    ),
    errors: result.errors,
    timeouts: result.timeouts,
    cpuMsPerRequest: cpuPerRequest(before, after, result.requests.total),
    apiMemoryMiB: after.memoryMiB.api,
  };
}
