/**
 * HierarchicalMemoryManager: the memory as one object, with the original design's method names. A
 * thin facade: each method hands its work to one service (storing, context, user data, projection,
 * health), which createMemory builds once over the stores and passes in.
 */

import type { Selection } from "../domain/filter.js";
import type { ProjectionTier } from "../domain/tiers.js";
import type { ExchangeInput } from "../domain/types.js";
import type { ArchivePosition, NewExchange } from "../tiers/archive.js";
import type { TierConnectivity } from "../tiers/probe.js";
import type { IntelligentContextAssembler } from "./assembler/assembler.js";
import type { AssembledContext, ContextRequest } from "./assembler/types.js";
import type { ErasureReport, ErasureService } from "./erasure.js";
import type { HealthService, HealthStatus } from "./health-service.js";
import type { CorrectionResult, MemoriesService, MemoryPatch, NoteInput } from "./memories.js";
import type { ProjectionService, ReconcileReport } from "./projection/service.js";
import type { StoreResult, StoreService } from "./store-service.js";
import type { ArchivePage, UserDataService, UserExport, UserFootprint } from "./user-data.js";
import type { WebhookReport, WebhookService } from "./webhooks/service.js";

export type { CorrectionResult, HealthStatus, MemoryPatch, NoteInput, StoreResult };

export interface MemoryServices {
  storing: StoreService;
  context: IntelligentContextAssembler;
  users: UserDataService;
  memories: MemoriesService;
  projection: ProjectionService;
  erasure: ErasureService;
  health: HealthService;
  /** Absent without Postgres. */
  webhooks?: Pick<WebhookService, "work">;
}

export class HierarchicalMemoryManager {
  readonly #s: MemoryServices;

  constructor(services: MemoryServices) {
    this.#s = services;
  }

  /** "durable" with an archive; "cache-only" when Postgres is disabled. */
  get mode(): HealthStatus["mode"] {
    return this.#s.storing.mode;
  }

  /** The projection tiers enabled here. */
  get projections(): readonly ProjectionTier[] {
    return this.#s.projection.tiers;
  }

  /** Stores one exchange (botResponse may be empty); acknowledged once the archive has it. Notes: storeNote. */
  storeConversation(input: ExchangeInput): Promise<StoreResult> {
    return this.#s.storing.store(input);
  }

  /**
   * Resolves once this process's background projections of earlier stores are done (applied, or
   * left in the outbox for the worker): for a graceful shutdown, or a check that must not race them.
   */
  projectionsIdle(): Promise<void> {
    return this.#s.storing.projectionsIdle();
  }

  /** Many exchanges at once (imports, loads); nothing stored twice by (user, idempotency key). */
  storeConversations(exchanges: readonly NewExchange[]) {
    return this.#s.storing.storeMany(exchanges);
  }

  /** What to remember for a query, from every tier that answers within the deadline. */
  getConversationContext(request: ContextRequest): Promise<AssembledContext> {
    return this.#s.context.assembleContext(request);
  }

  /** Prepares every enabled tier (schema migrations, collections, constraints): start-up or deploy. */
  initializeTiers(): Promise<TierConnectivity[]> {
    return this.#s.health.initialize();
  }

  testTierConnectivity(timeoutMs?: number): Promise<TierConnectivity[]> {
    return this.#s.health.testConnectivity(timeoutMs);
  }

  /** Each tier's read-only ping, from a round shared by every caller for 15 s (anonymous health). */
  pingTiers(): Promise<TierConnectivity[]> {
    return this.#s.health.pings();
  }

  getTierHealthStatus(): Promise<HealthStatus> {
    return this.#s.health.status();
  }

  /** A page of a user's archive, newest first, of what the selection keeps (scope, filter). */
  listConversations(
    userId: string,
    limit: number,
    before?: ArchivePosition,
    selection?: Selection,
  ): Promise<ArchivePage> {
    return this.#s.users.page(userId, limit, before, selection);
  }

  searchConversations(userId: string, query: string, limit: number, selection?: Selection) {
    return this.#s.users.search(userId, query, limit, selection);
  }

  /** The user's sessions, most recently active first. */
  listSessions(userId: string, limit: number) {
    return this.#s.users.sessions(userId, limit);
  }

  recentConversations(userId: string, limit: number) {
    return this.#s.users.recent(userId, limit);
  }

  /** NotFoundError unless the archive holds something of the user. */
  assertKnownUser(userId: string): Promise<void> {
    return this.#s.users.assertKnown(userId);
  }

  /** What each tier holds of a user (counts). */
  userFootprint(userId: string): Promise<UserFootprint> {
    return this.#s.users.footprint(userId);
  }

  exportUser(userId: string): Promise<UserExport> {
    return this.#s.users.exportUser(userId);
  }

  /** One exchange or note of the user by id; NotFoundError for an unknown id or another user's. */
  getMemory(userId: string, id: string) {
    return this.#s.memories.get(userId, id);
  }

  /** The versions corrections replaced, oldest first, with who and when. */
  memoryVersions(userId: string, id: string) {
    return this.#s.memories.versions(userId, id);
  }

  /** Corrects one exchange or note (`by`: who); every tier recomputes it through the outbox. */
  correctMemory(userId: string, id: string, patch: MemoryPatch, by: string): Promise<CorrectionResult> {
    return this.#s.memories.correct(userId, id, patch, by);
  }

  /** Erases one exchange or note from every tier; `pending`: tiers the worker still has to erase. */
  deleteMemory(userId: string, id: string) {
    return this.#s.memories.delete(userId, id);
  }

  /** Stores a note: a fact the bot or an operator states, with no exchange. */
  storeNote(note: NoteInput): Promise<StoreResult> {
    return this.#s.memories.storeNote(note);
  }

  /** A page of the user's notes, newest first, of what the selection keeps (scope, filter). */
  listNotes(userId: string, limit: number, before?: ArchivePosition, selection?: Selection) {
    return this.#s.memories.notes(userId, limit, before, selection);
  }

  /** Erases the user; `pending`: tiers the worker still has to erase (it retries until they are clean). */
  deleteUser(userId: string): Promise<{ exchanges: number; pending: ProjectionTier[] }> {
    return this.#s.users.deleteUser(userId);
  }

  /**
   * The scheduled worker: applies due outbox rows to the projections, works due erase tasks, and
   * sends due webhook deliveries (and reports tiers degraded for long to the endpoints that asked).
   */
  async reconcile(options?: {
    batchSize?: number;
    maxBatches?: number;
  }): Promise<ReconcileReport & { erasures: ErasureReport; webhooks?: WebhookReport }> {
    const erasures = await this.#s.erasure.drain(options);
    const projection = await this.#s.projection.reconcile(options);
    // Webhooks keep their own batches and time budget (receivers can be slow).
    const webhooks = await this.#s.webhooks?.work();
    return { ...projection, erasures, webhooks };
  }

  /**
   * Erases from each projection what the archive has no user for (of one tenant, if given); returns
   * how many users each tier held so.
   */
  sweepOrphans(options?: { tenant?: string }): Promise<Record<ProjectionTier, number>> {
    return this.#s.erasure.sweepOrphans(options);
  }

  rebuildUser(userId: string, tiers?: readonly ProjectionTier[]): Promise<void> {
    return this.#s.projection.rebuildUser(userId, tiers);
  }

  rebuildAll(tiers?: readonly ProjectionTier[]): Promise<number> {
    return this.#s.projection.rebuildAll(tiers);
  }
}
