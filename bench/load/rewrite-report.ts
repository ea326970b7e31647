/**
 * Writes a load result's markdown and charts again from its JSON (after the report's format
 * changed); the numbers are the run's own.
 *
 *   npx tsx bench/load/rewrite-report.ts bench/results/NAME.json
 */
import { readFileSync } from "node:fs";
import { type LoadResult, writeLoadReport } from "./report.js";

const [path] = process.argv.slice(2);
if (!path) throw new Error("usage: npx tsx bench/load/rewrite-report.ts bench/results/NAME.json");
writeLoadReport(JSON.parse(readFileSync(path, "utf8")) as LoadResult, path);
