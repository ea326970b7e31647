/**
 * The load benchmark at a smoke size, so it keeps working: it loads, drives the API over HTTP,
 * and writes its JSON, markdown and charts. The numbers are not judged here (benchmarks, not
 * timed tests); that they exist, and that no request failed, is.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { LoadResult } from "../../bench/load/report.js";

describe("npm run bench at a smoke size", () => {
  it("writes a report with every measurement and chart", { timeout: 180_000 }, async () => {
    const out = join(mkdtempSync(join(tmpdir(), "bench-smoke-")), "smoke.json");
    await promisify(execFile)(
      process.execPath,
      [
        "--import",
        "tsx",
        "bench/load.ts",
        ...["--corner", "smoke", "--sizes", "300,600", "--users", "30", "--seconds", "1", "--repeat", "2"],
        ...["--connections", "1,4", "--store-connections", "1", "--samples", "5", "--no-cold-start"],
        ...["--out", out],
      ],
      { maxBuffer: 64 * 2 ** 20 },
    );
    const result = JSON.parse(readFileSync(out, "utf8")) as LoadResult;
    expect(result.sizes.map((s) => s.size)).toEqual([300, 600]);
    for (const size of result.sizes) {
      expect(size.storedAtEnd).toBeGreaterThanOrEqual(size.size);
      for (const step of [...size.contextHttp, ...size.storeHttp]) {
        expect(step.requests).toBeGreaterThan(0);
        expect(step.runs?.map((r) => r.p50)).toContain(step.latencyMs.p50);
        expect(step.runs).toHaveLength(2);
        expect(step.errors + step.timeouts + step.non2xx).toBe(0);
        expect(step.cpuMsPerRequest.api).toBeGreaterThan(0);
        const { p50, p95, p99 } = step.latencyMs;
        expect(p95).toBeGreaterThanOrEqual(p50 - 1);
        expect(p95).toBeLessThanOrEqual(p99 + 1);
      }
      expect(Object.keys(size.tierMs).sort()).toEqual(["chroma", "neo4j", "postgres", "redis"]);
      expect(size.legacyInProcessMs?.p50).toBeGreaterThan(0);
    }
    const markdown = readFileSync(out.replace(/\.json$/, ".md"), "utf8");
    expect(markdown).toContain("## Goals");
    for (const chart of ["size", "concurrency", "throughput", "tiers"])
      expect(existsSync(out.replace(/\.json$/, `-${chart}.png`)), chart).toBe(true);
  });
});
