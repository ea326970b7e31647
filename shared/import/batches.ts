/**
 * An import's batches: fixed slices of its units, so batch N is the same lines on every attempt,
 * and what one batch becomes (the archive rows of its good lines, and every bad line with its line
 * number and reason: a bad line never stops the good ones).
 */
import type { NewExchange } from "../tiers/archive.js";
import { parseUnit } from "./formats/index.js";
import { planImportRecord } from "./plan.js";
import type { ImportFormat, ImportUnit } from "./records.js";

/** The checkpoint collection name of an import's batches (a migration's are its legacy collections). */
export const importCollection = "lines";

export interface ImportBatchRef {
  index: number;
  from: number;
  to: number;
}

export const batchCount = (units: number, batchSize: number) => Math.ceil(units / batchSize);

export const importBatchKey = (index: number) => `${importCollection}:${index}`;

export function importBatches(units: number, batchSize: number): ImportBatchRef[] {
  return Array.from({ length: batchCount(units, batchSize) }, (_, index) => ({
    index,
    from: index * batchSize,
    to: Math.min(units, (index + 1) * batchSize),
  }));
}

export interface LineError {
  line: number;
  reason: string;
}

export interface PlannedBatch {
  /** Units read. */
  lines: number;
  exchanges: NewExchange[];
  errors: LineError[];
}

export function planBatch(
  units: readonly ImportUnit[],
  options: { format: ImportFormat; tenant: string; importedAt: Date },
): PlannedBatch {
  const exchanges: NewExchange[] = [];
  const errors: LineError[] = [];
  for (const unit of units) {
    const parsed = parseUnit(options.format, unit);
    if ("error" in parsed) {
      errors.push({ line: unit.line, reason: parsed.error });
      continue;
    }
    parsed.records.forEach((record, n) => {
      const plan = planImportRecord(record, options);
      if ("skip" in plan)
        errors.push({
          line: unit.line,
          reason: parsed.records.length > 1 ? `#${n + 1}: ${plan.skip}` : plan.skip,
        });
      else exchanges.push(plan.exchange);
    });
  }
  return { lines: units.length, exchanges, errors };
}
