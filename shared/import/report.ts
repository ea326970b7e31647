/**
 * What an import's batch checkpoints keep and what an import reports: counts, and every refused
 * line with its number and reason. Checkpoints are parsed on read (zod), as the migration's are.
 */
import { z } from "zod";
import type { LineError } from "./batches.js";

/** A batch's checkpoint (the MigrationRunStore's BatchCheckpoint: `seen` and `skipped`, plus counts). */
export const ImportBatchReportSchema = z.object({
  /** Lines read. */
  seen: z.number().int(),
  /** Memories written by this import. */
  migrated: z.number().int(),
  /** Already in the archive (an earlier import of the same lines): nothing written twice. */
  existing: z.number().int(),
  /** Of users erased before the batch committed: never written (an erase is final). */
  erased: z.number().int(),
  /** Refused lines: `id` is the line number. */
  skipped: z.array(z.object({ id: z.string(), reason: z.string() })),
});
export type ImportBatchReport = z.infer<typeof ImportBatchReportSchema>;

export interface ImportTotals {
  /** Lines (units) read by committed batches. */
  lines: number;
  imported: number;
  existing: number;
  erased: number;
  /** Refused lines (a transcript line may be refused for one of its exchanges only). */
  refused: number;
}

export function sumImportReports(reports: Iterable<ImportBatchReport>): ImportTotals {
  const t: ImportTotals = { lines: 0, imported: 0, existing: 0, erased: 0, refused: 0 };
  for (const r of reports) {
    t.lines += r.seen;
    t.imported += r.migrated;
    t.existing += r.existing;
    t.erased += r.erased;
    t.refused += r.skipped.length;
  }
  return t;
}

/** Every refused line of the reports, in line order. */
export function lineErrorsOf(reports: Iterable<ImportBatchReport>): LineError[] {
  return [...reports]
    .flatMap((r) => r.skipped.map((s) => ({ line: Number(s.id), reason: s.reason })))
    .sort((a, b) => a.line - b.line);
}

/** The validation at an import's end: sampled lines re-read and found in the archive as imported. */
export const ImportValidationSchema = z.object({
  sampled: z.number().int(),
  /** Sampled memories found with the same text. */
  matched: z.number().int(),
  score: z.number(),
  /** Line numbers of sampled memories missing or different (first ten). */
  mismatches: z.array(z.number().int()),
});
export type ImportValidation = z.infer<typeof ImportValidationSchema>;

/** What an ended import's run records with its state. */
export const ImportResultSchema = z.object({
  totals: z.object({
    lines: z.number().int(),
    imported: z.number().int(),
    existing: z.number().int(),
    erased: z.number().int(),
    refused: z.number().int(),
  }),
  validation: ImportValidationSchema.nullable(),
  durationMs: z.number().int().nullable(),
  /** Projection tiers still missing some of the import's memories (a write failed; the reconciler retries it). */
  pendingTiers: z.array(z.string()).default([]),
});
export type ImportResult = z.infer<typeof ImportResultSchema>;
