/** What a migration batch and a whole run report: counts per kind, skips with reasons, pure sums. */
import { z } from "zod";
import type { LegacyKind } from "./legacy.js";

const recordKinds = [
  "conversation",
  "user_fact",
  "global_fact",
  "personality_fact",
  "versioned_fact",
  "unclassifiable",
] as const satisfies readonly (LegacyKind | "unclassifiable")[];
export type RecordKind = (typeof recordKinds)[number];

/** A batch's report, as its checkpoint keeps it. */
export const BatchReportSchema = z.object({
  /** Records read from the legacy store. */
  seen: z.number().int(),
  /** Written by this run. */
  migrated: z.number().int(),
  /** Already in the archive (an earlier run, or a retried batch): nothing written twice. */
  existing: z.number().int(),
  /** Left out by the run's user filter. */
  filtered: z.number().int(),
  /** Left out because their user was erased (counted, never named): an erase is final. */
  erased: z.number().int().default(0),
  byKind: z.partialRecord(z.enum(recordKinds), z.number().int()),
  /** Every record that cannot be migrated, with its reason: nothing is skipped silently. */
  skipped: z.array(z.object({ id: z.string(), reason: z.string() })),
});

export type BatchReport = z.infer<typeof BatchReportSchema>;

export const emptyBatchReport = (): BatchReport => ({
  seen: 0,
  migrated: 0,
  existing: 0,
  filtered: 0,
  erased: 0,
  byKind: {},
  skipped: [],
});

export interface RunTotals {
  seen: number;
  migrated: number;
  existing: number;
  filtered: number;
  erased: number;
  skipped: number;
  byKind: Partial<Record<RecordKind, number>>;
  /** Skips grouped by reason, with a few example ids each. */
  skippedByReason: { reason: string; count: number; examples: string[] }[];
}

export function sumReports(reports: Iterable<BatchReport>): RunTotals {
  const totals: RunTotals = {
    seen: 0,
    migrated: 0,
    existing: 0,
    filtered: 0,
    erased: 0,
    skipped: 0,
    byKind: {},
    skippedByReason: [],
  };
  const reasons = new Map<string, { count: number; examples: string[] }>();
  for (const r of reports) {
    totals.seen += r.seen;
    totals.migrated += r.migrated;
    totals.existing += r.existing;
    totals.filtered += r.filtered;
    totals.erased += r.erased;
    totals.skipped += r.skipped.length;
    for (const [kind, n] of Object.entries(r.byKind) as [RecordKind, number][])
      totals.byKind[kind] = (totals.byKind[kind] ?? 0) + n;
    for (const s of r.skipped) {
      // Reasons name the record's user or id; group on the reason's general shape.
      const key = s.reason.replace(/"[^"]*"/g, '"…"');
      const held = reasons.get(key) ?? { count: 0, examples: [] };
      held.count++;
      if (held.examples.length < 3) held.examples.push(s.id);
      reasons.set(key, held);
    }
  }
  totals.skippedByReason = [...reasons.entries()]
    .map(([reason, v]) => ({ reason, ...v }))
    .sort((a, b) => b.count - a.count);
  return totals;
}
