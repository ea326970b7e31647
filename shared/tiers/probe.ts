/**
 * What every tier offers the health checks: a read-only ping (cheap, safe to run for anyone) and a
 * write/read/delete round trip (the full connectivity test, for operators).
 */
import type { TierName } from "../domain/tiers.js";

export interface TierProbe {
  readonly tier: TierName;
  /** Writes a marker, reads it back, deletes it; throws when any step fails or reads back wrong. */
  roundTrip(): Promise<void>;
  /** Asks the service whether it answers, writing nothing; throws when it does not. */
  ping(): Promise<void>;
}

export interface TierConnectivity {
  tier: TierName;
  ok: boolean;
  latencyMs: number;
  /** Why it failed, as a stable code (see tierFailureCode); the details go to the log. */
  error?: string;
}

/** One step that prepares a tier for use: schema migrations, collections, constraints. */
export interface TierSetup {
  readonly tier: TierName;
  run(): Promise<unknown>;
}

export const probeId = () => `probe-${crypto.randomUUID()}`;
