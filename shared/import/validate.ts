/**
 * The validation sample at an import's end: lines at seeded random positions are parsed and planned
 * again, and each memory they give must be in the archive with the same text (found by its
 * idempotency key). Memories of users erased meanwhile are expected to be missing and not counted.
 */
import type { Erasures } from "../tiers/erasures.js";
import type { MigrationRunStore } from "../tiers/migration-runs.js";
import { seededRandom } from "../util/random.js";
import { planBatch } from "./batches.js";
import type { ImportFormat, ImportUnit } from "./records.js";
import type { ImportValidation } from "./report.js";

export async function validateImport(
  stores: { runs: Pick<MigrationRunStore, "byKeys">; erasures?: Pick<Erasures, "erased"> },
  units: readonly ImportUnit[],
  options: { format: ImportFormat; tenant: string },
  sampleSize: number,
): Promise<ImportValidation> {
  // Seeded: the same import samples the same lines.
  const random = seededRandom(units.length);
  const picked = new Set<number>();
  while (picked.size < Math.min(sampleSize, units.length)) picked.add(Math.floor(random() * units.length));
  const sample = [...picked].sort((a, b) => a - b).flatMap((i) => units[i] ?? []);
  const planned = sample.flatMap((unit) =>
    planBatch([unit], { ...options, importedAt: new Date(0) }).exchanges.map((e) => ({
      ...e,
      line: unit.line,
    })),
  );
  const erased = (await stores.erasures?.erased([...new Set(planned.map((e) => e.userId))])) ?? new Set();
  const expected = planned.filter((e) => !erased.has(e.userId));
  const found = await stores.runs.byKeys(expected.map((e) => ({ userId: e.userId, key: e.idempotencyKey })));
  const byId = new Map(found.map((e) => [e.id, e]));
  const mismatches: number[] = [];
  let matched = 0;
  for (const e of expected) {
    const got = byId.get(e.id);
    if (got && got.userMessage === e.userMessage && got.botResponse === e.botResponse) matched++;
    else mismatches.push(e.line);
  }
  return {
    sampled: expected.length,
    matched,
    score: expected.length === 0 ? 1 : matched / expected.length,
    mismatches: mismatches.slice(0, 10),
  };
}
