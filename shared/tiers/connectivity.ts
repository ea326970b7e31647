/** Runs every tier's check (the round trip, or the read-only ping) in parallel, each bounded by a timeout. */
import { round2 } from "../util/stats.js";
import { withTimeout } from "../util/timeout.js";
import { tierFailureCode } from "./failures.js";
import type { TierConnectivity, TierProbe } from "./probe.js";

/**
 * Default per-tier bound: 5000 ms. `onFailure` receives each failure with its cause (for the log);
 * the result carries only its code.
 */
export async function testTierConnectivity(
  probes: readonly TierProbe[],
  timeoutMs = 5000,
  onFailure?: (tier: TierConnectivity["tier"], error: unknown) => void,
  check: "roundTrip" | "ping" = "roundTrip",
): Promise<TierConnectivity[]> {
  return Promise.all(
    probes.map(async (probe) => {
      const started = performance.now();
      try {
        await withTimeout(probe[check](), timeoutMs, `no answer within ${timeoutMs} ms`);
        return { tier: probe.tier, ok: true, latencyMs: round2(performance.now() - started) };
      } catch (error) {
        onFailure?.(probe.tier, error);
        return {
          tier: probe.tier,
          ok: false,
          latencyMs: round2(performance.now() - started),
          error: tierFailureCode(error),
        };
      }
    }),
  );
}
