/**
 * Tier 4 in Neo4j (the KnowledgeGraph port). Every node carries its userId and a deterministic uid,
 * so replaying an exchange is idempotent and one user's graph never joins another's. A write that
 * touches claims locks its users first and re-derives the slots' validity in the same transaction,
 * so two concurrent writes cannot each miss the other's claim. Cypher is parameterized only.
 */
import neo4j, { type Driver, type ManagedTransaction } from "neo4j-driver";
import { candidatesFor, matchesFilter } from "../../domain/filter.js";
import type { Exchange, Extraction, Metadata } from "../../domain/types.js";
import {
  type FactsQuery,
  type GraphFact,
  type GraphNode,
  graphUid,
  type KnowledgeGraph,
  uidSeparator as sep,
} from "../knowledge-graph.js";
import { removeStatements } from "./removal.js";
import { lockUsers, rechainSlots } from "./validity.js";

export class Neo4jKnowledgeGraph implements KnowledgeGraph {
  readonly #driver: Driver;
  readonly #database?: string;

  constructor(driver: Driver, database?: string) {
    this.#driver = driver;
    this.#database = database;
  }

  async prepare(): Promise<void> {
    for (const statement of [
      "CREATE CONSTRAINT mem_user_id IF NOT EXISTS FOR (u:MemUser) REQUIRE u.id IS UNIQUE",
      "CREATE CONSTRAINT entity_uid IF NOT EXISTS FOR (e:Entity) REQUIRE e.uid IS UNIQUE",
      "CREATE CONSTRAINT fact_uid IF NOT EXISTS FOR (f:Fact) REQUIRE f.uid IS UNIQUE",
      "CREATE INDEX entity_user IF NOT EXISTS FOR (e:Entity) ON (e.userId)",
      "CREATE INDEX fact_user IF NOT EXISTS FOR (f:Fact) ON (f.userId)",
      "CREATE INDEX fact_slot IF NOT EXISTS FOR (f:Fact) ON (f.userId, f.slot)",
      "CREATE INDEX fact_exchange IF NOT EXISTS FOR (f:Fact) ON (f.userId, f.exchangeId)",
    ])
      await this.#write(statement, {});
  }

  /**
   * Merges many exchanges' entities, facts and relations in one transaction; when they carry claims,
   * the users are locked first and the slots they touch re-derived before it commits.
   */
  async applyMany(items: readonly { exchange: Exchange; extraction: Extraction }[]): Promise<void> {
    if (items.length === 0) return;
    const slots = touchedSlots(items);
    await this.#transaction(async (tx) => {
      await lockUsers(tx, [...new Set(slots.map((s) => s.userId))]);
      await tx.run(
        `UNWIND $items AS item
       MERGE (u:MemUser {id: item.userId})
       WITH u, item
       CALL (u, item) {
         UNWIND item.entities AS e
         MERGE (n:Entity {uid: item.userId + $sep + e.key})
           ON CREATE SET n.userId = item.userId, n.key = e.key, n.name = e.name, n.kind = e.kind
         MERGE (u)-[m:MENTIONED]->(n)
         SET m.lastAt = CASE WHEN m.lastAt IS NULL OR m.lastAt < item.at THEN item.at ELSE m.lastAt END
       }
       CALL (u, item) {
         UNWIND item.facts AS f
         MERGE (fact:Fact {uid: item.userId + $sep + item.exchangeId + $sep + f.index})
           ON CREATE SET fact.userId = item.userId, fact.exchangeId = item.exchangeId, fact.text = f.text,
                         fact.at = item.at, fact.sessionId = item.sessionId, fact.agentId = item.agentId,
                         fact.slot = f.slot, fact.relation = f.relation, fact.value = f.value,
                         fact.negated = f.negated, fact.ordinal = f.ordinal, fact.index = f.claimIndex,
                         fact.metadata = item.metadata
         MERGE (u)-[:STATED]->(fact)
         WITH fact, f
         UNWIND f.entityKeys AS key
         MATCH (n:Entity {uid: item.userId + $sep + key})
         MERGE (fact)-[:ABOUT]->(n)
       }
       CALL (item) {
         UNWIND item.relations AS r
         MATCH (a:Entity {uid: item.userId + $sep + r.from}), (b:Entity {uid: item.userId + $sep + r.to})
         MERGE (a)-[rel:RELATED_TO {type: r.type}]->(b)
         SET rel.exchangeIds = CASE WHEN item.exchangeId IN coalesce(rel.exchangeIds, [])
                                    THEN rel.exchangeIds ELSE coalesce(rel.exchangeIds, []) + item.exchangeId END
       }`,
        {
          sep,
          items: items.map(({ exchange, extraction }) => ({
            userId: exchange.userId,
            exchangeId: exchange.id,
            at: exchange.createdAt.getTime(),
            // Null sets no property: a fact has them only when its exchange does.
            sessionId: exchange.sessionId ?? null,
            agentId: exchange.agentId ?? null,
            // As JSON (a node property cannot be a map), for filtered reads.
            metadata: metadataProperty(exchange.metadata),
            entities: extraction.entities,
            facts: extraction.facts.map((f, index) => ({
              text: f.text,
              entityKeys: f.entityKeys,
              index,
              // Null sets nothing: only a claim's fact has these.
              slot: f.claim?.slot ?? null,
              relation: f.claim?.relation ?? null,
              value: f.claim?.value ?? null,
              negated: f.claim ? (f.claim.negated ?? false) : null,
              ordinal: f.claim ? exchange.ordinal : null,
              claimIndex: f.claim ? index : null,
            })),
            relations: extraction.relations,
          })),
        },
      );
      await rechainSlots(tx, slots);
    });
  }

  /** Facts about any of `keys` (within `scope`), most entities matched first, then newest. */
  /**
   * A filter is checked here on each fact's metadata and time (Cypher cannot read the JSON): asking
   * for more facts than wanted, so that enough are left after the check.
   */
  async factsFor(
    userId: string,
    keys: readonly string[],
    limit: number,
    { scope, filter, asOf }: FactsQuery = {},
  ): Promise<GraphFact[]> {
    if (keys.length === 0) return [];
    const records = await this.#readOnce(
      `UNWIND $uids AS uid
       MATCH (e:Entity {uid: uid})<-[:ABOUT]-(f:Fact)
       WHERE f.userId = $userId AND ($sessionId IS NULL OR f.sessionId = $sessionId)
         AND ($agentId IS NULL OR f.agentId = $agentId)
         AND (f.invalidAt IS NULL OR f.invalidAt > $at) AND ($asOf IS NULL OR f.at <= $asOf)
       WITH f, collect(DISTINCT e.name) AS about
       RETURN f.text AS text, f.exchangeId AS exchangeId, f.at AS at, f.sessionId AS sessionId,
              f.agentId AS agentId, f.invalidAt AS invalidAt, f.endedBy AS endedBy, f.slot AS slot,
              f.metadata AS metadata, about, size(about) AS hits
       ORDER BY hits DESC, at DESC LIMIT $limit`,
      {
        userId,
        uids: keys.map((k) => graphUid(userId, k)),
        limit: neo4j.int(candidatesFor(limit, filter)),
        sessionId: scope?.sessionId ?? null,
        agentId: scope?.agentId ?? null,
        at: (asOf ?? new Date()).getTime(),
        asOf: asOf ? asOf.getTime() : null,
      },
    );
    const facts = records.map(
      (r): GraphFact => ({
        text: r.get("text") as string,
        exchangeId: r.get("exchangeId") as string,
        at: new Date(r.get("at") as number),
        metadata: JSON.parse((r.get("metadata") as string | null) ?? "{}"),
        validFrom: new Date(r.get("at") as number),
        ...(typeof r.get("invalidAt") === "number"
          ? { invalidAt: new Date(r.get("invalidAt") as number) }
          : {}),
        ...(typeof r.get("endedBy") === "string" ? { endedBy: r.get("endedBy") as string } : {}),
        ...(typeof r.get("slot") === "string" ? { slot: r.get("slot") as string } : {}),
        about: r.get("about") as string[],
        hits: r.get("hits") as number,
        ...optional("sessionId", r.get("sessionId")),
        ...optional("agentId", r.get("agentId")),
      }),
    );
    if (!filter) return facts;
    return facts
      .filter((f) => matchesFilter(filter, { metadata: f.metadata, createdAt: f.at }))
      .slice(0, limit);
  }

  /** How many facts each of these exchanges of the user produced. */
  async factCounts(userId: string, exchangeIds: readonly string[]): Promise<Map<string, number>> {
    const { records } = await this.#driver.executeQuery(
      `UNWIND $ids AS id
       OPTIONAL MATCH (f:Fact {userId: $userId, exchangeId: id})
       RETURN id, count(f) AS n`,
      { userId, ids: exchangeIds },
      { database: this.#database, routing: neo4j.routing.READ },
    );
    return new Map(records.map((r) => [r.get("id") as string, Number(r.get("n"))]));
  }

  async counts(userId: string): Promise<{ entities: number; facts: number }> {
    const { records } = await this.#driver.executeQuery(
      `OPTIONAL MATCH (e:Entity {userId: $userId}) WITH count(e) AS entities
       OPTIONAL MATCH (f:Fact {userId: $userId}) RETURN entities, count(f) AS facts`,
      { userId },
      { database: this.#database, routing: neo4j.routing.READ },
    );
    return { entities: records[0]?.get("entities") ?? 0, facts: records[0]?.get("facts") ?? 0 };
  }

  /** Everything of the user in the graph, in a stable order (by uid), so two exports compare equal. */
  async exportUser(userId: string): Promise<{ entities: GraphNode[]; facts: GraphNode[] }> {
    const read = async (label: "Entity" | "Fact") => {
      const { records } = await this.#driver.executeQuery(
        `MATCH (n:${label} {userId: $userId}) RETURN properties(n) AS p ORDER BY n.uid`,
        { userId },
        { database: this.#database, routing: neo4j.routing.READ },
      );
      // A fact's validFrom is its `at`, exported under both names (facts older than validity have only `at`).
      return records.map((r) => {
        const p = r.get("p") as GraphNode;
        return label === "Fact" ? { ...p, validFrom: p.at } : p;
      });
    };
    return { entities: await read("Entity"), facts: await read("Fact") };
  }

  /** Deletes the user's whole graph, in batches so a large user cannot exhaust memory. */
  async deleteUser(userId: string): Promise<void> {
    for (const label of ["Fact", "Entity"]) {
      let deleted = 1;
      while (deleted > 0) {
        const result = await this.#driver.executeQuery(
          `MATCH (n:${label} {userId: $userId}) WITH n LIMIT 5000 DETACH DELETE n RETURN count(*) AS n`,
          { userId },
          { database: this.#database },
        );
        deleted = result.records[0]?.get("n") ?? 0;
      }
    }
    await this.#write("MATCH (u:MemUser {id: $userId}) DETACH DELETE u", { userId });
  }

  /** Users by their MemUser node, and by entities and facts (left without one by a failure), in id order. */
  async *scanUsers(): AsyncIterable<string[]> {
    for (const [label, key] of [
      ["MemUser", "id"],
      ["Entity", "userId"],
      ["Fact", "userId"],
    ] as const) {
      let after = "";
      for (;;) {
        const { records } = await this.#driver.executeQuery(
          `MATCH (n:${label}) WHERE n.${key} > $after
           WITH DISTINCT n.${key} AS id ORDER BY id LIMIT 1000 RETURN id`,
          { after },
          { database: this.#database, routing: neo4j.routing.READ },
        );
        const ids = records.map((r) => r.get("id") as string);
        if (ids.length > 0) yield ids;
        if (ids.length < 1000) break;
        after = ids[ids.length - 1] ?? after;
      }
    }
  }

  /**
   * Removes what these exchanges stated, in one transaction under the user's lock: their facts,
   * their ids on relations (a relation no exchange states any more goes), the entities their facts
   * and relations reached that nothing else needs (an entity named without a fact by another
   * exchange may go with them: it reaches no context, and comes back with its next mention or a
   * rebuild), then re-derives the slots their claims were in.
   */
  async removeExchanges(userId: string, exchangeIds: readonly string[]): Promise<void> {
    if (exchangeIds.length === 0) return;
    await this.#transaction(async (tx) => {
      await lockUsers(tx, [userId], { create: false });
      await removeStatements(tx, userId, exchangeIds);
    });
  }

  /**
   * One auto-commit read, for the context path: its RUN and PULL leave in one socket write, where a
   * managed transaction (executeQuery) adds a BEGIN and a COMMIT, each a write and a round trip (a
   * profile of a busy bot put about a fifth of its busy CPU in socket writes). The context has its own
   * deadline, so the managed transaction's retries would not help it.
   */
  async #readOnce(cypher: string, params: Record<string, unknown>) {
    const session = this.#driver.session({ database: this.#database, defaultAccessMode: neo4j.session.READ });
    try {
      return (await withoutStackCapture(() => session.run(cypher, params))).records;
    } finally {
      await session.close();
    }
  }

  async #transaction(work: (tx: ManagedTransaction) => Promise<void>) {
    const session = this.#driver.session({ database: this.#database });
    try {
      await session.executeWrite(work);
    } finally {
      await session.close();
    }
  }

  async #write(cypher: string, params: Record<string, unknown>) {
    await this.#driver.executeQuery(cypher, params, { database: this.#database });
  }
}

/** The (user, slot) pairs these exchanges' claims fall in, each once. */
function touchedSlots(items: readonly { exchange: Exchange; extraction: Extraction }[]) {
  const seen = new Map<string, { userId: string; slot: string }>();
  for (const { exchange, extraction } of items)
    for (const f of extraction.facts)
      if (f.claim)
        seen.set(JSON.stringify([exchange.userId, f.claim.slot]), {
          userId: exchange.userId,
          slot: f.claim.slot,
        });
  return [...seen.values()];
}

/** A fact's copy of its exchange's metadata: JSON, or no property for none. */
export const metadataProperty = (m: Metadata) => (Object.keys(m).length === 0 ? null : JSON.stringify(m));

/** `{[name]: value}` for a property the node has, `{}` for one it has not (null). */

const optional = (name: "sessionId" | "agentId", value: unknown) =>
  typeof value === "string" ? { [name]: value } : {};

/**
 * Runs `start` (synchronous) with V8's stack capture off: the driver makes a stack trace for every
 * result, to attach to an error that may come later, and formats it at once; that was ~0.15 ms of
 * each context read's CPU in the load benchmark's profile. The read's own errors still say what failed.
 */
function withoutStackCapture<T>(start: () => T): T {
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    return start();
  } finally {
    Error.stackTraceLimit = limit;
  }
}
