/**
 * A run's projections, applied after its batches are in the archive: user by user, so each user's
 * recent list and summary windows are built once from all their migrated exchanges (per batch, a
 * user spread over many batches would have them rebuilt over and over, and concurrent batches would
 * queue on the same windows' locks). Each tier walks the users on its own, so the slowest (Chroma,
 * which applies one write at a time anyway) never holds the others back. Works from the outbox, so
 * a crash anywhere loses nothing, and a crashed process's claimed rows are taken over.
 */
import type { ProjectionTier } from "../domain/tiers.js";
import type { MigrationDeps } from "./deps.js";

/** Users per bulk projection call (about 1,000 summary windows for Chroma at 20 exchanges a user). */
const usersPerRound = 200;

/** Returns true when it stopped at the deadline with users left to project. */
export async function finishProjections(
  deps: Pick<MigrationDeps, "runs" | "projection">,
  runId: string,
  deadline = Number.POSITIVE_INFINITY,
): Promise<boolean> {
  const left = await Promise.all(
    deps.projection.tiers.map((tier) => finishTier(deps, runId, tier, deadline)),
  );
  return left.some(Boolean);
}

async function finishTier(
  { runs, projection }: Pick<MigrationDeps, "runs" | "projection">,
  runId: string,
  tier: ProjectionTier,
  deadline: number,
): Promise<boolean> {
  let after = "";
  for (;;) {
    const users = await runs.usersWithPending(runId, tier, after, usersPerRound);
    if (users.length === 0) return false;
    // A failure leaves the rows in the outbox (the reconciler retries them); go on with the others.
    await projection.applyMany(await runs.unprojected(runId, tier, users), [tier]);
    after = users[users.length - 1] ?? after;
    if (Date.now() >= deadline) return (await runs.usersWithPending(runId, tier, after, 1)).length > 0;
  }
}
