/**
 * Tier 4 in Neo4j (the KnowledgeGraph port). Every node carries its userId and a deterministic uid,
 * so replaying an exchange is idempotent and one user's graph never joins another's. Cypher is
 * parameterized only.
 */
import neo4j, { type Driver } from "neo4j-driver";
import type { Exchange, Extraction, Scope } from "../../domain/types.js";
import {
  type GraphFact,
  type GraphNode,
  graphUid,
  type KnowledgeGraph,
  uidSeparator as sep,
} from "../knowledge-graph.js";

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
    ])
      await this.#write(statement, {});
  }

  /** Merges many exchanges' entities, facts and relations in one transaction (one round trip). */
  async applyMany(items: readonly { exchange: Exchange; extraction: Extraction }[]): Promise<void> {
    if (items.length === 0) return;
    await this.#write(
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
                         fact.at = item.at, fact.sessionId = item.sessionId, fact.agentId = item.agentId
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
          entities: extraction.entities,
          facts: extraction.facts.map((f, index) => ({ ...f, index })),
          relations: extraction.relations,
        })),
      },
    );
  }

  /** Facts about any of `keys` (within `scope`), most entities matched first, then newest. */
  async factsFor(
    userId: string,
    keys: readonly string[],
    limit: number,
    scope?: Scope,
  ): Promise<GraphFact[]> {
    if (keys.length === 0) return [];
    const { records } = await this.#driver.executeQuery(
      `UNWIND $uids AS uid
       MATCH (e:Entity {uid: uid})<-[:ABOUT]-(f:Fact)
       WHERE f.userId = $userId AND ($sessionId IS NULL OR f.sessionId = $sessionId)
         AND ($agentId IS NULL OR f.agentId = $agentId)
       WITH f, collect(DISTINCT e.name) AS about
       RETURN f.text AS text, f.exchangeId AS exchangeId, f.at AS at, f.sessionId AS sessionId,
              f.agentId AS agentId, about, size(about) AS hits
       ORDER BY hits DESC, at DESC LIMIT $limit`,
      {
        userId,
        uids: keys.map((k) => graphUid(userId, k)),
        limit: neo4j.int(limit),
        sessionId: scope?.sessionId ?? null,
        agentId: scope?.agentId ?? null,
      },
      { database: this.#database, routing: neo4j.routing.READ },
    );
    return records.map((r) => ({
      text: r.get("text") as string,
      exchangeId: r.get("exchangeId") as string,
      at: new Date(r.get("at") as number),
      about: r.get("about") as string[],
      hits: r.get("hits") as number,
      ...optional("sessionId", r.get("sessionId")),
      ...optional("agentId", r.get("agentId")),
    }));
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
      return records.map((r) => r.get("p") as GraphNode);
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

  /** One transaction: what these exchanges stated goes, and entities nothing else holds. */
  async removeExchanges(userId: string, exchangeIds: readonly string[]): Promise<void> {
    if (exchangeIds.length === 0) return;
    const params = { userId, ids: [...exchangeIds] };
    const session = this.#driver.session({ database: this.#database });
    try {
      await session.executeWrite(async (tx) => {
        const facts = await tx.run(
          `MATCH (f:Fact {userId: $userId}) WHERE f.exchangeId IN $ids
           OPTIONAL MATCH (f)-[:ABOUT]->(e:Entity)
           WITH collect(DISTINCT f) AS facts, collect(DISTINCT e.uid) AS about
           FOREACH (f IN facts | DETACH DELETE f)
           RETURN about`,
          params,
        );
        await tx.run(
          `MATCH (:Entity {userId: $userId})-[r:RELATED_TO]->(:Entity)
           WHERE any(id IN r.exchangeIds WHERE id IN $ids)
           WITH r, [id IN r.exchangeIds WHERE NOT id IN $ids] AS left
           SET r.exchangeIds = left
           WITH r, left WHERE size(left) = 0
           DELETE r`,
          params,
        );
        await tx.run(
          `UNWIND $about AS uid
           MATCH (e:Entity {uid: uid})
           WHERE NOT (e)<-[:ABOUT]-(:Fact) AND NOT (e)-[:RELATED_TO]-(:Entity)
           DETACH DELETE e`,
          { about: (facts.records[0]?.get("about") as string[] | undefined) ?? [] },
        );
      });
    } finally {
      await session.close();
    }
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

  async #write(cypher: string, params: Record<string, unknown>) {
    await this.#driver.executeQuery(cypher, params, { database: this.#database });
  }
}

/** `{[name]: value}` for a property the node has, `{}` for one it has not (null). */
const optional = (name: "sessionId" | "agentId", value: unknown) =>
  typeof value === "string" ? { [name]: value } : {};
