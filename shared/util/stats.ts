/** Small numeric helpers shared by health, traffic and the benchmarks. */

/** Rounds to two decimals (milliseconds in reports). */
export const round2 = (x: number) => Math.round(x * 100) / 100;

/** Nearest-rank percentile `q` (0..1) of an ascending list, to two decimals; undefined when empty. */
export function percentile(sorted: readonly number[], q: number): number | undefined {
  if (sorted.length === 0) return undefined;
  return round2(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
}
