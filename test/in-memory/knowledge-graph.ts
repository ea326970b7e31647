/** In-memory test double of the KnowledgeGraph port (shared/tiers/knowledge-graph.ts): nodes keyed by graphUid, as in Neo4j. */
import { type Exchange, type Extraction, inScope, type Scope, scopeOf } from "../../shared/domain/types.js";
import {
  type GraphFact,
  type GraphNode,
  graphUid,
  type KnowledgeGraph,
} from "../../shared/tiers/knowledge-graph.js";

interface EntityNode {
  uid: string;
  userId: string;
  key: string;
  name: string;
  kind: string;
}

interface FactNode extends Scope {
  uid: string;
  userId: string;
  exchangeId: string;
  text: string;
  /** Epoch ms, as Neo4j stores it. */
  at: number;
}

const byUid = (a: { uid: string }, b: { uid: string }) => (a.uid < b.uid ? -1 : a.uid > b.uid ? 1 : 0);

export class InMemoryKnowledgeGraph implements KnowledgeGraph {
  /** Users with a node of their own (Neo4j: MemUser), whether or not they have entities or facts. */
  readonly users = new Set<string>();
  readonly entities = new Map<string, EntityNode>();
  readonly facts = new Map<string, FactNode>();
  /** Fact uid to the uids of the entities it is about. */
  readonly about = new Map<string, Set<string>>();
  /** Relations between entity uids, with the exchanges that stated them. */
  readonly relations = new Map<
    string,
    { from: string; to: string; type: string; exchangeIds: Set<string> }
  >();

  async prepare(): Promise<void> {}

  async applyMany(items: readonly { exchange: Exchange; extraction: Extraction }[]): Promise<void> {
    for (const { exchange: ex, extraction } of items) {
      const user = ex.userId;
      this.users.add(user);
      for (const e of extraction.entities) {
        const uid = graphUid(user, e.key);
        if (!this.entities.has(uid))
          this.entities.set(uid, { uid, userId: user, key: e.key, name: e.name, kind: e.kind });
      }
      extraction.facts.forEach((f, index) => {
        const uid = graphUid(user, ex.id, index);
        if (!this.facts.has(uid))
          this.facts.set(uid, {
            uid,
            userId: user,
            exchangeId: ex.id,
            text: f.text,
            at: ex.createdAt.getTime(),
            ...scopeOf(ex),
          });
        const about = this.about.get(uid) ?? new Set<string>();
        this.about.set(uid, about);
        for (const key of f.entityKeys)
          if (this.entities.has(graphUid(user, key))) about.add(graphUid(user, key));
      });
      for (const r of extraction.relations) {
        const [from, to] = [graphUid(user, r.from), graphUid(user, r.to)];
        if (!this.entities.has(from) || !this.entities.has(to)) continue;
        const key = JSON.stringify([from, r.type, to]);
        const relation = this.relations.get(key) ?? {
          from,
          to,
          type: r.type,
          exchangeIds: new Set<string>(),
        };
        this.relations.set(key, relation);
        relation.exchangeIds.add(ex.id);
      }
    }
  }

  async factsFor(
    userId: string,
    keys: readonly string[],
    limit: number,
    scope?: Scope,
  ): Promise<GraphFact[]> {
    const asked = new Set(keys.map((k) => graphUid(userId, k)));
    const found: GraphFact[] = [];
    for (const f of this.#factsOf(userId).filter((x) => inScope(x, scope))) {
      const names = [...(this.about.get(f.uid) ?? [])]
        .filter((uid) => asked.has(uid))
        .map((uid) => this.entities.get(uid)?.name ?? "");
      const about = [...new Set(names)];
      if (about.length > 0)
        found.push({
          text: f.text,
          exchangeId: f.exchangeId,
          at: new Date(f.at),
          about,
          hits: about.length,
          ...scopeOf(f),
        });
    }
    return found.sort((a, b) => b.hits - a.hits || b.at.getTime() - a.at.getTime()).slice(0, limit);
  }

  async factCounts(userId: string, exchangeIds: readonly string[]): Promise<Map<string, number>> {
    const facts = this.#factsOf(userId);
    return new Map(exchangeIds.map((id) => [id, facts.filter((f) => f.exchangeId === id).length]));
  }

  async counts(userId: string): Promise<{ entities: number; facts: number }> {
    return { entities: this.#entitiesOf(userId).length, facts: this.#factsOf(userId).length };
  }

  async exportUser(userId: string): Promise<{ entities: GraphNode[]; facts: GraphNode[] }> {
    return {
      entities: this.#entitiesOf(userId)
        .sort(byUid)
        .map((n) => ({ ...n })),
      facts: this.#factsOf(userId)
        .sort(byUid)
        .map((n) => ({ ...n })),
    };
  }

  async deleteUser(userId: string): Promise<void> {
    for (const f of this.#factsOf(userId)) {
      this.facts.delete(f.uid);
      this.about.delete(f.uid);
    }
    for (const e of this.#entitiesOf(userId)) this.entities.delete(e.uid);
    for (const [key, r] of this.relations) if (!this.entities.has(r.from)) this.relations.delete(key);
    this.users.delete(userId);
  }

  async removeExchanges(userId: string, exchangeIds: readonly string[]): Promise<void> {
    const ids = new Set(exchangeIds);
    const touched = new Set<string>();
    for (const f of this.#factsOf(userId).filter((x) => ids.has(x.exchangeId))) {
      for (const uid of this.about.get(f.uid) ?? []) touched.add(uid);
      this.facts.delete(f.uid);
      this.about.delete(f.uid);
    }
    for (const [key, r] of this.relations) {
      if (this.entities.get(r.from)?.userId !== userId) continue;
      for (const id of ids) r.exchangeIds.delete(id);
      if (r.exchangeIds.size === 0) this.relations.delete(key);
    }
    const held = (uid: string) =>
      [...this.about.values()].some((about) => about.has(uid)) ||
      [...this.relations.values()].some((r) => r.from === uid || r.to === uid);
    for (const uid of touched) if (!held(uid)) this.entities.delete(uid);
  }

  async *scanUsers(): AsyncIterable<string[]> {
    const all = [...this.users, ...[...this.entities.values(), ...this.facts.values()].map((n) => n.userId)];
    const users = [...new Set(all)].sort();
    for (let i = 0; i < users.length; i += 100) yield users.slice(i, i + 100);
  }

  #entitiesOf(userId: string): EntityNode[] {
    return [...this.entities.values()].filter((e) => e.userId === userId);
  }

  #factsOf(userId: string): FactNode[] {
    return [...this.facts.values()].filter((f) => f.userId === userId);
  }
}
