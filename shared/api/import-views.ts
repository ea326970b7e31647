/** An import as the API shows it: its entry, with the counts and refused lines of its committed batches. */
import type { z } from "zod";
import type { ImportEntry } from "../domain/runs.js";
import { batchCount } from "../import/batches.js";
import {
  type ImportBatchReport,
  ImportResultSchema,
  lineErrorsOf,
  sumImportReports,
} from "../import/report.js";
import type { ImportView } from "./import-schemas.js";

/** Refused lines shown in an import's own view; the rest are paged at /errors. */
const errorsShown = 20;

export function importView(
  entry: ImportEntry,
  reports: ReadonlyMap<string, ImportBatchReport>,
): z.infer<typeof ImportView> {
  const totals = sumImportReports(reports.values());
  const result = ImportResultSchema.safeParse(entry.report);
  const validation = result.success ? result.data.validation : null;
  const pendingTiers = result.success ? result.data.pendingTiers : [];
  const batchSize = Number(entry.options.batchSize ?? 1);
  return {
    id: entry.id,
    format: entry.format as z.infer<typeof ImportView>["format"],
    state: entry.state === "completed" || entry.state === "failed" ? entry.state : "running",
    source: entry.location ? "location" : "body",
    lines: { total: entry.units, done: totals.lines, ...pick(totals) },
    batches: {
      total: entry.units === null ? null : batchCount(entry.units, batchSize),
      done: reports.size,
    },
    errors: lineErrorsOf(reports.values()).slice(0, errorsShown),
    validation: validation && {
      sampled: validation.sampled,
      matched: validation.matched,
      score: validation.score,
    },
    pendingTiers,
    error: entry.error,
    createdAt: entry.createdAt.toISOString(),
    updatedAt: entry.updatedAt.toISOString(),
  };
}

const pick = ({ imported, existing, erased, refused }: ReturnType<typeof sumImportReports>) => ({
  imported,
  existing,
  erased,
  refused,
});
