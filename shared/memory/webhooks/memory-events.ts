/**
 * The memory's events, as the services that cause them report them: the interface every reporter
 * calls, and `noEvents` where nothing listens. WebhookEmitter (./emitter.ts) turns each into
 * deliveries to the endpoints that subscribed.
 *
 * For the bulk import (issue 21): the import runner reports the end of an import with
 * `events.importFinished({ tenantId, importId, state, lines, error? })`, once, when the import has
 * completed or stopped; it gets `events` from createMemory (`memory.events`). Counts only: never a
 * line's text. Reporting never fails the work that caused it: an event that cannot be queued is logged.
 */
import type { Exchange } from "../../domain/types.js";

/** A finished bulk import, as the import runner reports it. */
export interface ImportFinished {
  tenantId: string;
  importId: string;
  state: "completed" | "failed";
  /** Lines by outcome (for example total, imported, existing, refused): counts only. */
  lines: Record<string, number>;
  /** Why a failed import stopped: a short reason, never a line's text. */
  error?: string;
  startedAt?: Date;
  finishedAt?: Date;
}

/** A finished legacy migration run, as the migration reports it. */
export interface MigrationFinished {
  tenantId: string;
  runId: string;
  state: "completed" | "failed";
  /** Legacy records by outcome (seen, migrated, existing, ...): counts only. */
  records: Record<string, number>;
  batches: { total: number; done: number; failed: number };
  durationMs: number;
}

/** What the services report; each call queues deliveries and never throws. */
export interface MemoryEvents {
  /** A user was erased (`userId`: the `tenant/user` key); their earlier deliveries are erased first. */
  userErased(userId: string, exchanges: number): Promise<void>;
  /** One exchange or note was erased; deliveries carrying its text are erased first. */
  memoryDeleted(exchange: Exchange): Promise<void>;
  memoryCorrected(exchange: Exchange): Promise<void>;
  migrationFinished(run: MigrationFinished): Promise<void>;
  importFinished(result: ImportFinished): Promise<void>;
}

/** Events go nowhere (no Postgres, or a test that does not look). */
export const noEvents: MemoryEvents = {
  userErased: async () => undefined,
  memoryDeleted: async () => undefined,
  memoryCorrected: async () => undefined,
  migrationFinished: async () => undefined,
  importFinished: async () => undefined,
};
