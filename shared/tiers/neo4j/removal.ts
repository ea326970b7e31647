/**
 * What removing exchanges takes from a user's graph (a delete or a correction of one memory): their
 * facts, their ids on relations, the entities they reached that nothing else needs, and the slots
 * their claims were in are re-derived. Runs inside the caller's write transaction, under its lock.
 */
import type { ManagedTransaction } from "neo4j-driver";
import { rechainSlots } from "./validity.js";

export async function removeStatements(
  tx: ManagedTransaction,
  userId: string,
  exchangeIds: readonly string[],
): Promise<void> {
  const params = { userId, ids: [...exchangeIds] };
  const facts = await tx.run(
    `MATCH (f:Fact {userId: $userId}) WHERE f.exchangeId IN $ids
     OPTIONAL MATCH (f)-[:ABOUT]->(e:Entity)
     WITH collect(DISTINCT f) AS facts, collect(DISTINCT e.uid) AS reached, collect(DISTINCT f.slot) AS slots
     FOREACH (f IN facts | DETACH DELETE f)
     RETURN reached, slots`,
    params,
  );
  const relations = await tx.run(
    `MATCH (a:Entity {userId: $userId})-[r:RELATED_TO]->(b:Entity {userId: $userId})
     WHERE any(id IN r.exchangeIds WHERE id IN $ids)
     SET r.exchangeIds = [id IN r.exchangeIds WHERE NOT id IN $ids]
     WITH a, b, r, size(r.exchangeIds) = 0 AS unstated
     FOREACH (_ IN CASE WHEN unstated THEN [1] ELSE [] END | DELETE r)
     RETURN collect(a.uid) + collect(b.uid) AS reached`,
    params,
  );
  const first = facts.records[0];
  const reached = [
    ...((first?.get("reached") as string[] | undefined) ?? []),
    ...((relations.records[0]?.get("reached") as string[] | undefined) ?? []),
  ];
  await tx.run(
    `UNWIND $reached AS uid
     MATCH (e:Entity {uid: uid}) WHERE e.userId = $userId
       AND NOT (e)<-[:ABOUT]-(:Fact) AND NOT (e)-[:RELATED_TO]-(:Entity)
     DETACH DELETE e`,
    { userId, reached: [...new Set(reached)] },
  );
  const slots = (first?.get("slots") as string[] | undefined) ?? [];
  await rechainSlots(
    tx,
    slots.map((slot) => ({ userId, slot })),
  );
}
