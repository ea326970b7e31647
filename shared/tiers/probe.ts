/** What every tier offers the connectivity check: one write/read/delete round trip with its production client. */
import type { TierName } from "../domain/tiers.js";

export interface TierProbe {
  readonly tier: TierName;
  /** Writes a marker, reads it back, deletes it; throws when any step fails or reads back wrong. */
  roundTrip(): Promise<void>;
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
