/**
 * An erase and a migration batch for the same user never interleave: the erase holds a user's
 * lock exclusively while it deletes and tombstones, a batch holds its users' locks shared while it
 * checks their tombstones and inserts. Without it a batch that checked before the erase committed
 * would write the user back after it. Transaction-scoped advisory locks: released at commit.
 */
import type { Queryable } from "./client.js";

/** Keeps these locks apart from any other advisory lock on the database. */
export const eraseLockSpace = 0x45_52_41; // "ERA"

export async function lockUserForErase(c: Queryable, userId: string): Promise<void> {
  await c.query("SELECT pg_advisory_xact_lock($1, hashtext($2))", [eraseLockSpace, userId]);
}

/** Shared locks on these users, taken in one order so two batches cannot deadlock on them. */
export async function lockUsersAgainstErase(c: Queryable, userIds: readonly string[]): Promise<void> {
  if (userIds.length === 0) return;
  await c.query(
    `SELECT pg_advisory_xact_lock_shared($1, h)
       FROM (SELECT DISTINCT hashtext(u) AS h FROM unnest($2::text[]) AS u ORDER BY h) AS ordered`,
    [eraseLockSpace, userIds],
  );
}
