/** What every benchmark result states: the machine it ran on, and a short markdown rendering. */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { dirname } from "node:path";
import { UsageError } from "../infra/cli/run-cli.js";
import { percentile } from "../shared/util/stats.js";

export function machine() {
  const cores = cpus();
  return {
    cpu: cores[0]?.model.trim() ?? "unknown",
    cores: cores.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/** A markdown report of a flat-ish result: one table row per leaf value. */
export function markdownReport(title: string, result: Record<string, unknown>): string {
  const rows: string[] = [];
  const walk = (prefix: string, value: unknown) => {
    if (value && typeof value === "object" && !Array.isArray(value))
      for (const [k, v] of Object.entries(value)) walk(prefix ? `${prefix}.${k}` : k, v);
    else if (Array.isArray(value) && value.some((v) => v && typeof v === "object"))
      value.forEach((v, i) => {
        walk(`${prefix}[${i}]`, v);
      });
    else rows.push(`| ${prefix} | ${Array.isArray(value) ? value.join(", ") : String(value)} |`);
  };
  walk("", result);
  return `# ${title}\n\n| measure | value |\n|---|---|\n${rows.join("\n")}\n`;
}

/** Prints the result, and with `out` writes it as JSON there and as markdown beside it. */
export function publish(title: string, result: Record<string, unknown>, out?: string) {
  console.log(JSON.stringify(result, null, 2));
  if (!out) return;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(out.replace(/\.json$/, ".md"), markdownReport(title, result));
}

/** The --out option of a benchmark that prints its result and, asked to, publishes it (see publish). */
export const outOption = {
  type: "string",
  value: "FILE",
  description: "also write the result as JSON there, and as markdown beside it",
  defaultText: "print only",
} as const;

/** --embedder of the benchmarks that run the API: what stores and queries are embedded with. */
export const embedderOption = {
  type: "string",
  value: "NAME",
  default: "hashing",
  description:
    "hashing (the deployed default: measures the memory, not a model) or local (the emulation's offline model, ~2 ms a query and ~4.5 ms an exchange, on the same two cores as everything else)",
} as const;

/** The --embedder value, or a usage error. */
export function embedderOf(value: string | undefined): "hashing" | "local" {
  if (value === "hashing" || value === "local") return value;
  throw new UsageError(`--embedder must be hashing or local, not ${value}`);
}

/** What every benchmark's --help says of its exit status. */
export const benchExitStatus = "Exit status: 0 measured; 1 it failed; 2 for a usage error.";

/** p50, p95 and p99 of these timings in ms (one decimal), and how many there were. */
export function timingStats(xs: readonly number[]) {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => Math.round((percentile(s, q) ?? 0) * 10) / 10;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99), n: s.length };
}
