/** In-memory test double of the KnowledgeGraph port (shared/tiers/knowledge-graph.ts): nodes keyed by graphUid, as in Neo4j. */
import { matchesFilter } from "../../shared/domain/filter.js";
import { type Exchange, type Extraction, inScope, type Scope, scopeOf } from "../../shared/domain/types.js";
import {
  claimOrder,
  type FactsQuery,
  type GraphFact,
  type GraphNode,
  graphUid,
  type KnowledgeGraph,
  supersedes,
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
  /** Its exchange's metadata as JSON, when it has any (as Neo4j stores it). */
  metadata?: string;
  /** A claim's: its slot, what it says and its place in the slot's order. */
  slot?: string;
  relation?: string;
  value?: string;
  negated?: boolean;
  ordinal?: number;
  index?: number;
  /** Epoch ms, set while a later claim in the slot ends it. */
  invalidAt?: number;
  endedBy?: string;
}

/** Whether fact `f` held at `asOf`, or (without it) holds at `now`. */
const holds = (f: FactNode, asOf: Date | undefined, now: number) =>
  asOf
    ? f.at <= asOf.getTime() && (f.invalidAt === undefined || f.invalidAt > asOf.getTime())
    : f.invalidAt === undefined || f.invalidAt > now;

const orderOf = (f: FactNode) => ({
  at: f.at,
  ordinal: f.ordinal ?? 0,
  exchangeId: f.exchangeId,
  index: f.index ?? 0,
  value: f.value ?? "",
  relation: f.relation ?? "",
  negated: f.negated ?? false,
});

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
    const slots = new Set<string>();
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
            ...(Object.keys(ex.metadata).length === 0 ? {} : { metadata: JSON.stringify(ex.metadata) }),
            ...(f.claim
              ? {
                  slot: f.claim.slot,
                  relation: f.claim.relation,
                  value: f.claim.value,
                  negated: f.claim.negated ?? false,
                  ordinal: ex.ordinal,
                  index,
                }
              : {}),
          });
        if (f.claim) slots.add(JSON.stringify([user, f.claim.slot]));
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
    for (const key of slots) this.#rechain(...(JSON.parse(key) as [string, string]));
  }

  async removeExchanges(userId: string, exchangeIds: readonly string[]): Promise<void> {
    const ids = new Set(exchangeIds);
    const slots = new Set<string>();
    // Entities the removed exchanges' facts and relations reached: the only ones that may go.
    const reached = new Set<string>();
    for (const f of this.#factsOf(userId).filter((x) => ids.has(x.exchangeId))) {
      if (f.slot) slots.add(f.slot);
      for (const uid of this.about.get(f.uid) ?? []) reached.add(uid);
      this.facts.delete(f.uid);
      this.about.delete(f.uid);
    }
    for (const [key, r] of this.relations) {
      if (this.entities.get(r.from)?.userId !== userId) continue;
      if (![...r.exchangeIds].some((id) => ids.has(id))) continue;
      for (const id of ids) r.exchangeIds.delete(id);
      reached.add(r.from).add(r.to);
      if (r.exchangeIds.size === 0) this.relations.delete(key);
    }
    const needed = new Set([...this.about.values()].flatMap((uids) => [...uids]));
    for (const r of this.relations.values()) needed.add(r.from).add(r.to);
    for (const uid of reached) if (!needed.has(uid)) this.entities.delete(uid);
    for (const slot of slots) this.#rechain(userId, slot);
  }

  /** Recomputes when each claim of the slot stops holding, from the claims alone (order-independent). */
  #rechain(userId: string, slot: string) {
    const chain = this.#factsOf(userId)
      .filter((f) => f.slot === slot)
      .map((f) => ({ f, order: orderOf(f) }))
      .sort((a, b) => claimOrder(a.order, b.order));
    chain.forEach(({ f, order }, i) => {
      const next = chain.slice(i + 1).find((g) => supersedes(g.order, order));
      if (next) Object.assign(f, { invalidAt: next.f.at, endedBy: next.f.exchangeId });
      else {
        delete f.invalidAt;
        delete f.endedBy;
      }
    });
  }

  async factsFor(
    userId: string,
    keys: readonly string[],
    limit: number,
    { scope, filter, asOf }: FactsQuery = {},
  ): Promise<GraphFact[]> {
    const asked = new Set(keys.map((k) => graphUid(userId, k)));
    const found: GraphFact[] = [];
    const now = Date.now();
    for (const f of this.#factsOf(userId).filter((x) => inScope(x, scope) && holds(x, asOf, now))) {
      const metadata = JSON.parse(f.metadata ?? "{}");
      if (filter && !matchesFilter(filter, { metadata, createdAt: new Date(f.at) })) continue;
      const names = [...(this.about.get(f.uid) ?? [])]
        .filter((uid) => asked.has(uid))
        .map((uid) => this.entities.get(uid)?.name ?? "");
      const about = [...new Set(names)];
      if (about.length > 0)
        found.push({
          text: f.text,
          exchangeId: f.exchangeId,
          at: new Date(f.at),
          metadata,
          validFrom: new Date(f.at),
          ...(f.invalidAt !== undefined ? { invalidAt: new Date(f.invalidAt) } : {}),
          ...(f.endedBy ? { endedBy: f.endedBy } : {}),
          ...(f.slot ? { slot: f.slot } : {}),
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
        .map((n) => ({ ...n, validFrom: n.at })),
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
