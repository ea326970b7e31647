/** The four tiers by name, and the three that are projections of the archive (Postgres). */

export const tierNames = ["redis", "postgres", "chroma", "neo4j"] as const;
export type TierName = (typeof tierNames)[number];

/** Tiers derived from the archive through the outbox; each can be rebuilt from Postgres alone. */
export const projectionTiers = ["redis", "chroma", "neo4j"] as const;
export type ProjectionTier = (typeof projectionTiers)[number];
