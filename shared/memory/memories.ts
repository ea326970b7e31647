/**
 * One memory at a time: read, correct and delete a single exchange or note by id, and store and
 * list notes. The archive stays the source of truth: a correction keeps the version it replaces
 * and queues every projection tier in the same commit (then projects it as a store would); a
 * delete is erasure-grade, with exchange-level erase tasks run now and retried by the worker.
 */

import type { Selection } from "../domain/filter.js";
import { userIdOfKey } from "../domain/identity.js";
import type { ProjectionTier } from "../domain/tiers.js";
import type {
  Exchange,
  ExchangeInput,
  ExchangePatch,
  ExchangeVersion,
  NoteSource,
  Scope,
} from "../domain/types.js";
import {
  describeError,
  InvalidInputError,
  NotFoundError,
  TierUnavailableError,
} from "../errors/memory-error.js";
import type { Archive, ArchivePosition } from "../tiers/archive.js";
import type { MemoryStores } from "../tiers/stores.js";
import type { Logger } from "../util/logger.js";
import type { ErasureService } from "./erasure.js";
import type { StoreResult, StoreService } from "./store-service.js";
import type { ArchivePage } from "./user-data.js";
import type { MemoryEvents } from "./webhooks/memory-events.js";

export interface MemoriesDeps {
  stores: MemoryStores;
  storing: Pick<StoreService, "store" | "reproject">;
  erasure: Pick<ErasureService, "runFor">;
  logger: Logger;
  /** The projection tiers a correction or a delete must reach. */
  projections: () => readonly ProjectionTier[];
  /** Exchanges per summary window (which summary held a deleted exchange). */
  summaryWindow: number;
  /** Told of each correction and delete (the tenant's webhooks). */
  events?: Pick<MemoryEvents, "memoryCorrected" | "memoryDeleted">;
}

/** A note to store: a fact the bot or an operator states, with no exchange. */
export interface NoteInput extends Scope {
  userId: string;
  text: string;
  /** Default: "bot". */
  source?: NoteSource;
  metadata?: Record<string, unknown>;
  idempotencyKey?: string;
  timestamp?: Date;
}

/** A correction as asked: an exchange's fields, or a note's `text` and `source`. */
export interface MemoryPatch extends ExchangePatch {
  text?: string;
  source?: NoteSource;
}

export interface CorrectionResult {
  exchange: Exchange;
  /** Projection tiers not yet recomputed when the correction answered; the outbox will. */
  pending: ProjectionTier[];
}

/** The same answer for an unknown id and another user's: nothing says the id exists. */
const noSuchMemory = (userId: string, id: string) =>
  new NotFoundError(`no memory ${id} of user ${userIdOfKey(userId)}`);

export class MemoriesService {
  readonly #deps: MemoriesDeps;

  constructor(deps: MemoriesDeps) {
    this.#deps = deps;
  }

  async get(userId: string, id: string): Promise<Exchange> {
    const found = await this.#archive("memories are read from the archive").exchange(userId, id);
    if (!found) throw noSuchMemory(userId, id);
    return found;
  }

  /** The earlier versions, oldest first; NotFoundError for an unknown id. */
  async versions(userId: string, id: string): Promise<ExchangeVersion[]> {
    await this.get(userId, id);
    return this.#archive("versions are kept in the archive").versions(userId, id);
  }

  /** `by`: who corrects it (an API key's id, "operator", ...), kept with the version it replaces. */
  async correct(userId: string, id: string, patch: MemoryPatch, by: string): Promise<CorrectionResult> {
    const archive = this.#archive("nothing was corrected");
    const current = await archive.exchange(userId, id);
    if (!current) throw noSuchMemory(userId, id);
    const change = toExchangePatch(current, patch);
    const userMessage = change.userMessage ?? current.userMessage;
    const botResponse = change.botResponse ?? current.botResponse;
    if (!userMessage.trim() && !botResponse.trim())
      throw new InvalidInputError("userMessage and botResponse cannot both be empty", {
        field: "userMessage",
      });
    const exchange = await archive.correctExchange(userId, id, change, by, this.#deps.projections());
    if (!exchange) throw noSuchMemory(userId, id);
    await this.#deps.events?.memoryCorrected(exchange);
    return { exchange, pending: await this.#deps.storing.reproject(exchange) };
  }

  /**
   * Erases one exchange or note from every tier; `pending`: tiers the worker still has to erase
   * (it retries until they are clean, and runs each once more after in-flight work has finished).
   */
  async delete(userId: string, id: string): Promise<{ exchange: Exchange; pending: ProjectionTier[] }> {
    const { projections, summaryWindow, erasure, logger } = this.#deps;
    const archive = this.#archive("nothing was erased");
    const exchange = await archive.deleteExchange(userId, id, projections(), summaryWindow);
    if (!exchange) throw noSuchMemory(userId, id);
    await this.#deps.events?.memoryDeleted(exchange);
    const pending = await erasure.runFor(userId, id).catch((error: unknown) => {
      logger.warn("exchange erase tasks left to the worker", { cause: describeError(error) });
      return [...projections()];
    });
    return { exchange, pending };
  }

  storeNote(note: NoteInput): Promise<StoreResult> {
    const input: ExchangeInput = {
      userId: note.userId,
      kind: "note",
      userMessage: note.text,
      botResponse: "",
      speaker: note.source ?? "bot",
      sessionId: note.sessionId,
      agentId: note.agentId,
      metadata: note.metadata,
      idempotencyKey: note.idempotencyKey,
      timestamp: note.timestamp,
    };
    return this.#deps.storing.store(input);
  }

  /**
   * A page of the user's notes, newest first, of what the selection keeps (scope, filter);
   * NotFoundError for a user with nothing stored.
   */
  async notes(
    userId: string,
    limit: number,
    before?: ArchivePosition,
    selection: Selection = {},
  ): Promise<ArchivePage> {
    const archive = this.#archive("notes are kept in the archive");
    const rows = await archive.recent(userId, limit + 1, { before, ...selection, kind: "note" });
    if (rows.length === 0 && !before && (await archive.exchangeCount(userId)) === 0)
      throw new NotFoundError(`no memory of user ${userIdOfKey(userId)}`);
    const items = rows.slice(0, limit);
    const last = items.at(-1);
    return { items, next: rows.length > limit && last ? last : undefined };
  }

  #archive(failed: string): Archive {
    const { archive } = this.#deps.stores;
    if (!archive) throw new TierUnavailableError("postgres", { failed });
    return archive;
  }
}

/** A note is corrected by its text and source, an exchange by its own fields; never the other's. */
function toExchangePatch(current: Exchange, { text, source, ...fields }: MemoryPatch): ExchangePatch {
  if (current.kind === "note") {
    const wrong = (["userMessage", "botResponse", "speaker"] as const).find((k) => fields[k] !== undefined);
    if (wrong)
      throw new InvalidInputError(`a note has no ${wrong}: correct its text or source`, { field: wrong });
    return { ...fields, userMessage: text, speaker: source };
  }
  const wrong = text !== undefined ? "text" : source !== undefined ? "source" : undefined;
  if (wrong)
    throw new InvalidInputError(`an exchange has no ${wrong}: correct userMessage, botResponse or speaker`, {
      field: wrong,
    });
  return fields;
}
