/**
 * Tier 3 in Chroma (the SummaryIndex port). Every document carries its user_id, and every query and
 * delete is filtered by it. A user's window summaries and single exchanges share a collection (`kind`
 * tells them apart; windows written before exchanges were kept have none), so one search finds both. A user's summaries live in one of `shards` collections (`<name>_<n>`, by
 * a hash of the user id): Chroma's search filtered to one user costs about the size of the whole
 * collection it searches, so the collections stay small (see the load benchmark).
 */
import { createHash } from "node:crypto";
import type { ChromaClient, Collection, Where } from "chromadb";
import pLimit from "p-limit";
import { candidatesFor, holdsForWindow, matchesFilter, type Selection } from "../../domain/filter.js";
import { inScope, type Scope, type Summary } from "../../domain/types.js";
import type {
  ExchangeHit,
  IndexedExchange,
  SemanticHits,
  SummaryHit,
  SummaryIndex,
} from "../summary-index.js";
import { CollectionWrites, inCallsOf, type UpsertRecords } from "./collection-writes.js";

type Windows = readonly { summary: Summary; embedding: number[] }[];
type Exchanges = readonly { exchange: IndexedExchange; embedding: number[] }[];

/**
 * The shard (collection) a user's summaries live in, of `shards`. Bulk writers that order users by it
 * write a few collections a batch with many records a call, instead of every collection a few records
 * a call (each write call has a fixed cost in Chroma).
 */
export const shardOfUser = (userId: string, shards: number) =>
  createHash("sha1").update(userId).digest().readUInt32BE(0) % shards;

/** A user's session or agent as one metadata value (a separator no id contains). */
const scopedKey = (userId: string, id: string) => `${userId}\u001f${id}`;

export class ChromaSummaryIndex implements SummaryIndex {
  readonly #collections = new Map<number, Promise<Collection>>();
  readonly #writes = new Map<string, CollectionWrites>();
  #listed?: { at: number; collections: Promise<Collection[]> };
  readonly #chroma: ChromaClient;
  readonly #name: string;
  readonly #shards: number;
  readonly #family: string;

  /**
   * `family`: the base name every model's collections start with (`<family>_<model>_<n>`); deletes
   * and scans reach all of them, so a user erased after a change of model leaves nothing in the
   * collections of the earlier one. Default: `name`.
   */
  constructor(chroma: ChromaClient, name: string, shards = 1, family = name) {
    this.#chroma = chroma;
    this.#name = name;
    this.#shards = shards;
    this.#family = family;
  }

  /** Creates the first shard's collection; the others are created on first use. */
  async prepare(): Promise<void> {
    await this.ensureCollection(0);
  }

  shardOf(userId: string): number {
    return shardOfUser(userId, this.#shards);
  }

  collectionName(shard: number): string {
    return `${this.#name}_${shard}`;
  }

  /** A shard's collection (the first by default), created on first use with cosine distance. */
  ensureCollection(shard = 0): Promise<Collection> {
    let collection = this.#collections.get(shard);
    if (!collection) {
      collection = this.#chroma
        .getOrCreateCollection({
          name: this.collectionName(shard),
          embeddingFunction: null,
          configuration: { hnsw: { space: "cosine" } },
        })
        .catch((error: unknown) => {
          this.#collections.delete(shard);
          throw error;
        });
      this.#collections.set(shard, collection);
    }
    return collection;
  }

  #forUser(userId: string): Promise<Collection> {
    return this.ensureCollection(this.shardOf(userId));
  }

  /** Every shard's collection (for checks over all summaries). */
  all(): Promise<Collection[]> {
    return Promise.all(Array.from({ length: this.#shards }, (_, shard) => this.ensureCollection(shard)));
  }

  /** Deletes every shard's collection (a benchmark's fresh start). */
  async dropAll(): Promise<void> {
    this.#collections.clear();
    await Promise.all(
      Array.from({ length: this.#shards }, (_, shard) =>
        this.#chroma.deleteCollection({ name: this.collectionName(shard) }).catch(() => undefined),
      ),
    );
  }

  async upsert(windows: Windows, exchanges: Exchanges = []): Promise<void> {
    const shardOf = (userId: string) => this.shardOf(userId);
    const windowsBy = Map.groupBy(windows, (w) => shardOf(w.summary.userId));
    const exchangesBy = Map.groupBy(exchanges, (e) => shardOf(e.exchange.userId));
    const shards = new Set([...windowsBy.keys(), ...exchangesBy.keys()]);
    // Writes to different collections proceed in parallel (one collection's are serialized).
    const limit = pLimit(8);
    await Promise.all(
      [...shards].map((shard) =>
        limit(() => this.#upsertInto(shard, windowsBy.get(shard) ?? [], exchangesBy.get(shard) ?? [])),
      ),
    );
  }

  async #upsertInto(shard: number, windows: Windows, exchanges: Exchanges) {
    const records: UpsertRecords = {
      ids: [
        ...windows.map(({ summary }) => docId(summary.userId, summary.windowIndex)),
        ...exchanges.map(({ exchange }) => exchangeDocId(exchange.userId, exchange.exchangeId)),
      ],
      embeddings: [...windows.map((w) => w.embedding), ...exchanges.map((e) => e.embedding)],
      documents: [...windows.map((w) => w.summary.text), ...exchanges.map((e) => e.exchange.text)],
      metadatas: [
        ...windows.map(({ summary: s }) => ({
          user_id: s.userId,
          kind: "window",
          window_index: s.windowIndex,
          start_at: s.startAt.getTime(),
          end_at: s.endAt.getTime(),
          exchange_ids: s.exchangeIds.join(","),
          // Only a window of one session (or agent) has it: a scoped query matches nothing mixed.
          ...scopeKeys(s.userId, s),
          ...(s.metadata === undefined ? {} : { shared_metadata: JSON.stringify(s.metadata) }),
        })),
        ...exchanges.map(({ exchange: e }) => ({
          user_id: e.userId,
          kind: "exchange",
          exchange_id: e.exchangeId,
          window_index: e.windowIndex,
          created_at: e.createdAt.getTime(),
          ...scopeKeys(e.userId, e),
          ...(e.metadata === undefined ? {} : { metadata: JSON.stringify(e.metadata) }),
        })),
      ],
    };
    // In line at once (the collection is fetched when the call goes), so a delete asked later cannot pass it.
    await this.#writesTo(this.collectionName(shard)).upsert(records, async (r) => {
      const collection = await this.ensureCollection(shard);
      // Asked of the server once (the client keeps its answer): 5,461 records on the local Chroma.
      for (const call of inCallsOf(r, await this.#chroma.getMaxBatchSize())) await collection.upsert(call);
    });
  }

  /** A collection's writes in order, upserts that wait grouped into one call (see CollectionWrites). */
  #writesTo(name: string): CollectionWrites {
    let writes = this.#writes.get(name);
    if (!writes) {
      writes = new CollectionWrites();
      this.#writes.set(name, writes);
    }
    return writes;
  }

  async query(
    userId: string,
    embedding: number[],
    limit: number,
    selection?: Selection,
  ): Promise<SummaryHit[]> {
    return (await this.search(userId, embedding, limit, selection)).windows;
  }

  /**
   * The scope is a `where` on the window's own fields. A filter is checked here on each window
   * (Chroma's `where` cannot read the shared metadata, kept as JSON): asking for more nearest
   * windows than wanted, so that enough are left after the check.
   */
  async search(
    userId: string,
    embedding: number[],
    limit: number,
    { scope, filter }: Selection = {},
  ): Promise<SemanticHits> {
    const collection = await this.#forUser(userId);
    // One selective key per condition: Chroma's cost follows the largest set a clause matches in the
    // whole collection, and `agent_id: "support-bot"` may match half of it (1.85x the unscoped p50).
    const conditions: Where[] = [
      ...(scope?.sessionId ? [{ user_session: scopedKey(userId, scope.sessionId) }] : []),
      ...(scope?.agentId ? [{ user_agent: scopedKey(userId, scope.agentId) }] : []),
    ];
    if (conditions.length === 0) conditions.push({ user_id: userId });
    const result = await collection.query({
      queryEmbeddings: [embedding],
      // Both kinds compete for the places: twice as many, so that each kind has its share.
      nResults: 2 * candidatesFor(limit, filter),
      where: conditions.length === 1 ? conditions[0] : { $and: conditions },
      include: ["documents", "metadatas", "distances"],
    });
    const windows: SummaryHit[] = [];
    const exchanges: ExchangeHit[] = [];
    (result.ids[0] ?? []).forEach((_, i) => {
      const m = result.metadatas[0]?.[i] ?? {};
      const similarity = 1 - (result.distances[0]?.[i] ?? 1);
      const text = result.documents[0]?.[i] ?? "";
      // The composite keys name the user; checked again here, so nothing of another user's can pass.
      if (m.user_id !== userId) return;
      if (m.kind === "exchange") {
        exchanges.push({ similarity, exchange: exchangeOf(m, text) });
        return;
      }
      windows.push({
        similarity,
        summary: {
          userId: String(m.user_id),
          windowIndex: Number(m.window_index),
          text,
          exchangeIds: String(m.exchange_ids ?? "")
            .split(",")
            .filter(Boolean),
          startAt: new Date(Number(m.start_at)),
          endAt: new Date(Number(m.end_at)),
          ...(typeof m.session_id === "string" ? { sessionId: m.session_id } : {}),
          ...(typeof m.agent_id === "string" ? { agentId: m.agent_id } : {}),
          ...(typeof m.shared_metadata === "string" ? { metadata: JSON.parse(m.shared_metadata) } : {}),
        },
      });
    });
    return {
      windows: windows
        .filter(({ summary: s }) => !filter || holdsForWindow(filter, { ...s, metadata: s.metadata ?? {} }))
        .slice(0, limit),
      exchanges: exchanges
        .filter(
          ({ exchange: e }) =>
            inScope(e, scope) && (!filter || matchesFilter(filter, { ...e, metadata: e.metadata ?? {} })),
        )
        .slice(0, limit),
    };
  }

  async vectorsOf(userId: string, exchangeIds: readonly string[]): Promise<Map<string, number[]>> {
    if (exchangeIds.length === 0) return new Map();
    const collection = await this.#forUser(userId);
    const result = await collection.get({
      ids: [...new Set(exchangeIds)].map((id) => exchangeDocId(userId, id)),
      include: ["metadatas", "embeddings"],
    });
    const vectors = new Map<string, number[]>();
    result.metadatas.forEach((m, i) => {
      const embedding = result.embeddings[i];
      if (m?.user_id === userId && embedding) vectors.set(String(m.exchange_id), [...embedding]);
    });
    return vectors;
  }

  /** The exchange ids each stored window of this user covers, by window index. */
  async windowsOf(userId: string, windowIndexes: readonly number[]): Promise<Map<number, string[]>> {
    if (windowIndexes.length === 0) return new Map();
    const collection = await this.#forUser(userId);
    const result = await collection.get({
      ids: [...new Set(windowIndexes)].map((w) => docId(userId, w)),
      include: ["metadatas"],
    });
    return new Map(
      result.metadatas.map((m) => [
        Number(m?.window_index),
        String(m?.exchange_ids ?? "")
          .split(",")
          .filter(Boolean),
      ]),
    );
  }

  async countForUser(userId: string): Promise<number> {
    const collection = await this.#forUser(userId);
    const result = await collection.get({ where: { user_id: userId }, include: ["metadatas"] });
    return result.metadatas.filter((m) => m?.kind !== "exchange").length;
  }

  async countExchanges(userId: string): Promise<number> {
    const collection = await this.#forUser(userId);
    const result = await collection.get({ where: { $and: [{ user_id: userId }, { kind: "exchange" }] } });
    return result.ids.length;
  }

  /**
   * In every collection of this index, not only the user's shard: an earlier shard count, or the
   * single unsuffixed collection before sharding, may still hold some of the user's summaries.
   */
  deleteUser(userId: string): Promise<void> {
    // Listed afresh: an erase is rare and must be final, whatever collection appeared since the last listing.
    return this.#deleteEverywhere(userId, undefined, { fresh: true });
  }

  /** In every collection of this index, as deleteUser: an earlier layout may hold the window. */
  async deleteWindows(userId: string, windowIndexes: readonly number[]): Promise<void> {
    if (windowIndexes.length === 0) return;
    await this.#deleteEverywhere(
      userId,
      [...new Set(windowIndexes)].map((w) => docId(userId, w)),
    );
  }

  /** In every collection of this index, as deleteUser. */
  async deleteExchanges(userId: string, exchangeIds: readonly string[]): Promise<void> {
    if (exchangeIds.length === 0) return;
    await this.#deleteEverywhere(
      userId,
      [...new Set(exchangeIds)].map((id) => exchangeDocId(userId, id)),
    );
  }

  /** The user's documents (these ids only, when given) out of every collection of the family. */
  async #deleteEverywhere(userId: string, ids?: string[], { fresh = false } = {}): Promise<void> {
    const limit = pLimit(8);
    const collections = await this.#ownCollections({ fresh });
    await Promise.all(
      collections.map((c) =>
        limit(() =>
          this.#writesTo(c.name).barrier(() =>
            c.delete({ ...(ids ? { ids } : {}), where: { user_id: userId } }),
          ),
        ),
      ),
    );
  }

  async *scanUsers(): AsyncIterable<string[]> {
    const page = 1000;
    for (const collection of await this.#ownCollections())
      for (let offset = 0; ; offset += page) {
        const { metadatas } = await collection.get({ include: ["metadatas"], limit: page, offset });
        const users = [...new Set(metadatas.map((m) => String(m?.user_id ?? "")).filter(Boolean))];
        if (users.length > 0) yield users;
        if (metadatas.length < page) break;
      }
  }

  /**
   * This index's collections as they are on the server: `<name>` and `<name>_<n>`, any n, and those
   * of any other model of the family (`<family>_<model>` and its shards). Listed
   * at most every 30 s (a server holding many collections lists slowly; `fresh`: now), plus the
   * shards this instance has created since: an erase's final pass, a minute on, sees any collection
   * there was.
   */
  async #ownCollections({ fresh = false } = {}): Promise<Collection[]> {
    const now = Date.now();
    if (fresh || !this.#listed || now - this.#listed.at > 30_000)
      this.#listed = { at: now, collections: this.#list() };
    const listed = await this.#listed.collections.catch((error: unknown) => {
      this.#listed = undefined;
      throw error;
    });
    const mine = await Promise.all(this.#collections.values());
    const byName = new Map([...listed, ...mine].map((c) => [c.name, c]));
    return [...byName.values()];
  }

  async #list(): Promise<Collection[]> {
    const literal = (name: string) => name.replace(/[.]/g, "\\.");
    const own = new RegExp(`^(${literal(this.#name)}|${literal(this.#family)}(_[a-z0-9-]+)?)(_\\d+)?$`);
    const found: Collection[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await this.#chroma.listCollections({ limit: 100, offset });
      found.push(...page.filter((c) => own.test(c.name)));
      if (page.length < 100) return found;
    }
  }
}

/** Deterministic ids make a replayed projection overwrite, never duplicate. */
export const docId = (userId: string, windowIndex: number) => `${userId}\u001f${windowIndex}`;
const exchangeDocId = (userId: string, exchangeId: string) => `${userId}\u001fx\u001f${exchangeId}`;

/** A session's or agent's id, and the user+id key a scoped query selects by. */
const scopeKeys = (userId: string, { sessionId, agentId }: Scope) => ({
  ...(sessionId === undefined ? {} : { session_id: sessionId, user_session: scopedKey(userId, sessionId) }),
  ...(agentId === undefined ? {} : { agent_id: agentId, user_agent: scopedKey(userId, agentId) }),
});

function exchangeOf(m: Record<string, unknown>, text: string): IndexedExchange {
  return {
    userId: String(m.user_id),
    exchangeId: String(m.exchange_id),
    windowIndex: Number(m.window_index),
    text,
    createdAt: new Date(Number(m.created_at)),
    ...(typeof m.session_id === "string" ? { sessionId: m.session_id } : {}),
    ...(typeof m.agent_id === "string" ? { agentId: m.agent_id } : {}),
    ...(typeof m.metadata === "string" ? { metadata: JSON.parse(m.metadata) } : {}),
  };
}
