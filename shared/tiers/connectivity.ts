/** Runs every tier's round trip in parallel, each bounded by a timeout, and reports per tier. */
import { withTimeout } from "../util/timeout.js";
import type { TierConnectivity, TierProbe } from "./types.js";

/** Default per-tier bound for a connectivity check: 5000 ms. */
export async function testTierConnectivity(
  probes: readonly TierProbe[],
  timeoutMs = 5000,
): Promise<TierConnectivity[]> {
  return Promise.all(probes.map((probe) => measure(probe, timeoutMs)));
}

async function measure(probe: TierProbe, timeoutMs: number): Promise<TierConnectivity> {
  const started = performance.now();
  try {
    await withTimeout(probe.roundTrip(), timeoutMs, `no answer within ${timeoutMs} ms`);
    return { tier: probe.tier, ok: true, latencyMs: elapsed(started) };
  } catch (error) {
    return { tier: probe.tier, ok: false, latencyMs: elapsed(started), error: describe(error) };
  }
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 100) / 100;

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}
