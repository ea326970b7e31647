/**
 * Fact validity in Neo4j: a slot's chain is re-derived from its claims alone (the same rule as
 * `supersedes` in ../knowledge-graph.ts), so applying exchanges out of order or twice, or removing
 * one, always ends in the same validFrom/invalidAt. Runs inside the caller's write transaction.
 */
import type { ManagedTransaction } from "neo4j-driver";

/**
 * Takes each user's write lock (their MemUser node, in id order so two writers cannot deadlock)
 * until the transaction ends: claims of one user are chained by one writer at a time. `create`:
 * whether to create a user's node it does not find (default true).
 */
export async function lockUsers(
  tx: ManagedTransaction,
  userIds: readonly string[],
  { create = true } = {},
): Promise<void> {
  if (userIds.length === 0) return;
  // A removal must not create the user (an erased user's node would come back).
  await tx.run(
    `UNWIND $ids AS id
     ${create ? "MERGE" : "MATCH"} (u:MemUser {id: id})
     SET u.lock = true REMOVE u.lock`,
    { ids: [...userIds].sort() },
  );
}

/**
 * For each slot: its claims ordered by time, then ordinal, exchange id and index in the exchange;
 * each holds until the first later claim that supersedes it (invalidAt = that claim's time,
 * endedBy = its exchange), or for good (both removed).
 */
export async function rechainSlots(
  tx: ManagedTransaction,
  slots: readonly { userId: string; slot: string }[],
): Promise<void> {
  if (slots.length === 0) return;
  await tx.run(
    `UNWIND $slots AS s
     CALL (s) {
       MATCH (f:Fact {userId: s.userId, slot: s.slot})
       WITH f ORDER BY f.at, f.ordinal, f.exchangeId, f.index
       WITH collect(f) AS chain
       UNWIND range(0, size(chain) - 1) AS i
       WITH chain[i] AS f, chain[i + 1..] AS later
       WITH f, [g IN later WHERE
                 NOT (g.negated = f.negated AND g.relation = f.relation AND g.value = f.value)
                 AND (NOT g.negated OR (g.relation = f.relation AND g.value = f.value))][0] AS next
       SET f.invalidAt = next.at, f.endedBy = next.exchangeId
     }`,
    { slots },
  );
}
