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

/** The message and its chain of causes: "fetch failed" alone does not say that DNS failed. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const messages: string[] = [];
  for (let e: unknown = error; e instanceof Error && messages.length < 5; e = e.cause)
    if (e.message) messages.push(e.message);
  return messages.join(": ");
}
