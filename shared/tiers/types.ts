/** What every tier offers the connectivity check: one write/read/delete round trip with its production client. */
import type { TierName } from "../config/index.js";

export type { TierName };

export interface TierProbe {
  readonly tier: TierName;
  /** Writes a marker, reads it back, deletes it; throws when any step fails or reads back wrong. */
  roundTrip(): Promise<void>;
}

export interface TierConnectivity {
  tier: TierName;
  ok: boolean;
  latencyMs: number;
  error?: string;
}

/** Thrown by a probe when a store answered but answered wrong. */
export class ProbeMismatchError extends Error {
  constructor(tier: TierName, step: string) {
    super(`${tier}: ${step} returned an unexpected value`);
    this.name = "ProbeMismatchError";
  }
}

export const probeId = () => `probe-${crypto.randomUUID()}`;
