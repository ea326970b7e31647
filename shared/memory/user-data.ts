/**
 * One user's data as a whole: reading the archive back (pages, word search, the latest), what each
 * tier holds of them, export, and erasure. A user with nothing stored is a NotFoundError named by
 * the id the tenant knows.
 */

import type { Selection } from "../domain/filter.js";
import { userIdOfKey } from "../domain/identity.js";
import type { ProjectionTier } from "../domain/tiers.js";
import type { Exchange, ExchangeVersion, SessionInfo, Summary } from "../domain/types.js";
import { describeError, NotFoundError, TierUnavailableError } from "../errors/memory-error.js";
import type { ArchivePosition } from "../tiers/archive.js";
import type { GraphNode } from "../tiers/knowledge-graph.js";
import type { MigrationRunStore } from "../tiers/migration-runs.js";
import type { CachedExchange } from "../tiers/recent-cache.js";
import type { MemoryStores } from "../tiers/stores.js";
import type { Logger } from "../util/logger.js";
import type { ErasureService } from "./erasure.js";
import type { MemoryEvents } from "./webhooks/memory-events.js";

export type { ArchivePosition };

export interface ArchivePage {
  items: Exchange[];
  /** Where the next page starts; undefined on the last page. */
  next?: ArchivePosition;
}

export interface UserExport {
  userId: string;
  exportedAt: string;
  exchanges: Exchange[];
  /** The earlier versions of corrected exchanges and notes, by exchange id. */
  versions: Record<string, ExchangeVersion[]>;
  summaries: Summary[];
  recentCache: CachedExchange[];
  graph: { entities: GraphNode[]; facts: GraphNode[] };
}

/** What each tier holds of a user; undefined where the tier is off or did not answer. */
export interface UserFootprint {
  postgres: { exchanges?: number };
  redis: { recentMessages?: number };
  chroma: { summaries?: number };
  neo4j?: { entities: number; facts: number };
}

const noMemoryOf = (userId: string) => new NotFoundError(`no memory of user ${userIdOfKey(userId)}`);

export interface UserDataDeps {
  stores: MemoryStores;
  logger: Logger;
  erasure: Pick<ErasureService, "runFor">;
  /** The projection tiers an erase must reach. */
  projections: () => readonly ProjectionTier[];
  /** Migration runs, whose options and reports must not keep an erased user's ids. */
  runs?: Pick<MigrationRunStore, "forgetUser">;
  /** Told of each erase: the tenant's webhooks, which drop what they still held of the user. */
  events?: Pick<MemoryEvents, "userErased">;
}

export class UserDataService {
  readonly #deps: UserDataDeps;
  readonly #stores: MemoryStores;
  readonly #logger: Logger;

  constructor(deps: UserDataDeps) {
    this.#deps = deps;
    this.#stores = deps.stores;
    this.#logger = deps.logger;
  }

  /** A page of the archive, newest first, after `before`; NotFoundError for a user with nothing. */
  async page(
    userId: string,
    limit: number,
    before?: ArchivePosition,
    selection: Selection = {},
  ): Promise<ArchivePage> {
    const rows = (await this.#stores.archive?.recent(userId, limit + 1, { before, ...selection })) ?? [];
    // An empty selection of a known user is an empty page; an unknown user is a 404.
    if (rows.length === 0 && !before) await this.assertKnown(userId);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, next: rows.length > limit && last ? last : undefined };
  }

  /** The archive's best word matches; NotFoundError when none match and the user has nothing. */
  async search(userId: string, query: string, limit: number, selection: Selection = {}): Promise<Exchange[]> {
    const archive = this.#stores.archive;
    if (!archive) throw new TierUnavailableError("postgres", { failed: "the archive cannot be searched" });
    const hits = await archive.search(userId, query, limit, selection);
    if (hits.length === 0) await this.assertKnown(userId);
    return hits.map((h) => h.exchange);
  }

  /** The user's sessions, most recently active first; NotFoundError for a user with nothing. */
  async sessions(userId: string, limit: number): Promise<SessionInfo[]> {
    const archive = this.#stores.archive;
    if (!archive) throw new TierUnavailableError("postgres", { failed: "sessions are kept in the archive" });
    const found = await archive.sessions(userId, limit);
    if (found.length === 0) await this.assertKnown(userId);
    return found;
  }

  /** The latest exchanges, newest first (empty for an unknown user). */
  async recent(userId: string, limit: number): Promise<Exchange[]> {
    return (await this.#stores.archive?.recent(userId, limit)) ?? [];
  }

  /** NotFoundError unless the archive holds something of the user. */
  async assertKnown(userId: string): Promise<void> {
    if (((await this.#stores.archive?.exchangeCount(userId)) ?? 0) === 0) throw noMemoryOf(userId);
  }

  /** Counts per tier; a tier that fails is left out rather than failing the lookup. */
  async footprint(userId: string): Promise<UserFootprint> {
    const { archive, cache, summaries, graph } = this.#stores;
    const count = <T>(tier: string, work: Promise<T> | undefined) =>
      (work ?? Promise.resolve(undefined)).catch((error: unknown) => {
        this.#logger.warn("footprint: a tier did not answer", { tier, cause: describeError(error) });
        return undefined;
      });
    const [exchanges, recent, summaryCount, graphCounts] = await Promise.all([
      count("postgres", archive?.exchangeCount(userId)),
      count("redis", cache?.recent(userId, cache.capacity)),
      count("chroma", summaries?.countForUser(userId)),
      count("neo4j", graph?.counts(userId)),
    ]);
    return {
      postgres: { exchanges },
      redis: { recentMessages: recent?.length },
      chroma: { summaries: summaryCount },
      neo4j: graphCounts,
    };
  }

  /** Everything held about a user, from the source of truth and each projection. */
  async exportUser(userId: string): Promise<UserExport> {
    const { archive, cache, graph } = this.#stores;
    const exchanges = (await archive?.allExchanges(userId)) ?? [];
    const versions: Record<string, ExchangeVersion[]> = {};
    for (const e of exchanges.filter((x) => x.version > 1))
      versions[e.id] = (await archive?.versions(userId, e.id)) ?? [];
    return {
      userId,
      exportedAt: new Date().toISOString(),
      exchanges,
      versions,
      summaries: (await archive?.summaries(userId)) ?? [],
      recentCache: (await cache?.recent(userId, cache.capacity)) ?? [],
      graph: (await graph?.exportUser(userId)) ?? { entities: [], facts: [] },
    };
  }

  /**
   * Erases the user. The archive commits the delete with a tombstone and one erase task per
   * projection tier; the tasks run now, and the worker finishes whatever a tier could not do yet
   * (and runs each once more later, for projections that were in flight); the user's ids leave the
   * migration runs. Returns the exchanges
   * erased and the tiers still pending. Without an archive (cache-only mode) the cache is all there is.
   */
  async deleteUser(userId: string): Promise<{ exchanges: number; pending: ProjectionTier[] }> {
    const { archive, cache } = this.#deps.stores;
    if (!archive) {
      const held = (await cache?.recent(userId, cache.capacity))?.length ?? 0;
      await cache?.deleteUser(userId);
      return { exchanges: held, pending: [] };
    }
    const exchanges = await archive.eraseUser(userId, this.#deps.projections());
    await this.#deps.events?.userErased(userId, exchanges);
    await this.#deps.runs?.forgetUser(userId).catch((error: unknown) => {
      // The tombstone already keeps every migration from bringing the user back.
      this.#logger.error("an erased user's id is still in a migration run's options or report", {
        cause: describeError(error),
      });
    });
    const pending = await this.#deps.erasure.runFor(userId).catch((error: unknown) => {
      this.#deps.logger.warn("erase tasks left to the worker", { cause: describeError(error) });
      return [...this.#deps.projections()];
    });
    return { exchanges, pending };
  }
}
