/**
 * Turns each reported event into one queued delivery per subscribed endpoint (and the tiers'
 * incidents into `tier.degraded` and `tier.recovered`). Payloads carry ids, counts and times;
 * `memory.corrected` carries the corrected text only to an endpoint that opted in (`includeText`),
 * and such a delivery is erased with the memory or the user. Never throws: what cannot be queued
 * is logged.
 */
import { tenantOfKey, userIdOfKey } from "../../domain/identity.js";
import type { Exchange } from "../../domain/types.js";
import type {
  DeliveredEventType,
  TierIncident,
  WebhookEndpoint,
  WebhookEventType,
} from "../../domain/webhooks.js";
import { describeError } from "../../errors/memory-error.js";
import type { Archive } from "../../tiers/archive.js";
import type { NewDelivery, WebhookDeliveries, WebhookEndpoints } from "../../tiers/webhooks.js";
import type { Logger } from "../../util/logger.js";
import type { ImportFinished, MemoryEvents, MigrationFinished } from "./memory-events.js";

export interface EmitterDeps {
  endpoints: WebhookEndpoints;
  deliveries: WebhookDeliveries;
  /** Reads back a corrected memory after its text is queued (see memoryCorrected). */
  archive?: Pick<Archive, "exchange">;
  logger: Logger;
}

/** What one endpoint's delivery says, besides the event's type and time. */
interface Built {
  data: Record<string, unknown>;
  userId?: string;
  exchangeId?: string;
  dedupeKey?: string;
}

export const newEventId = () => `msg_${crypto.randomUUID().replaceAll("-", "")}`;

/** The body of a delivery: the Standard Webhooks payload shape. */
export const payloadOf = (type: DeliveredEventType, at: Date, data: Record<string, unknown>) =>
  JSON.stringify({ type, timestamp: at.toISOString(), data });

const minutes = (ms: number) => Math.floor(ms / 60_000);

export class WebhookEmitter implements MemoryEvents {
  readonly #deps: EmitterDeps;

  constructor(deps: EmitterDeps) {
    this.#deps = deps;
  }

  userErased(userId: string, exchanges: number): Promise<void> {
    return this.#reporting("user.erased", async () => {
      // Erasure is final: nothing queued about the user outlives it, text or ids.
      await this.#deps.deliveries.forgetUser(userId);
      const at = new Date();
      await this.#tenantEvent("user.erased", tenantOfKey(userId), at, () => ({
        data: { userId: userIdOfKey(userId), exchanges, erasedAt: at.toISOString() },
        userId,
      }));
    });
  }

  memoryDeleted(exchange: Exchange): Promise<void> {
    return this.#reporting("memory.deleted", async () => {
      await this.#deps.deliveries.forgetExchange(exchange.id);
      const at = new Date();
      await this.#tenantEvent("memory.deleted", tenantOfKey(exchange.userId), at, () => ({
        data: { ...memoryRef(exchange), deletedAt: at.toISOString() },
        userId: exchange.userId,
      }));
    });
  }

  memoryCorrected(exchange: Exchange): Promise<void> {
    return this.#reporting("memory.corrected", async () => {
      const at = new Date();
      const withText = await this.#tenantEvent("memory.corrected", tenantOfKey(exchange.userId), at, (e) => ({
        data: {
          ...memoryRef(exchange),
          version: exchange.version,
          correctedAt: at.toISOString(),
          ...(e.includeText ? textOf(exchange) : {}),
        },
        userId: exchange.userId,
        exchangeId: e.includeText ? exchange.id : undefined,
      }));
      // An erase that committed meanwhile may have cleared the queue before this text was in it:
      // read the memory back, and take the text out again if it is gone.
      const { archive } = this.#deps;
      if (
        withText.some((e) => e.includeText) &&
        archive &&
        !(await archive.exchange(exchange.userId, exchange.id))
      )
        await this.#deps.deliveries.forgetExchange(exchange.id);
    });
  }

  migrationFinished(run: MigrationFinished): Promise<void> {
    const type = run.state === "completed" ? "migration.completed" : "migration.failed";
    return this.#reporting(type, async () => {
      const at = new Date();
      await this.#tenantEvent(type, run.tenantId, at, () => ({
        data: {
          runId: run.runId,
          state: run.state,
          records: run.records,
          batches: run.batches,
          durationMs: run.durationMs,
          finishedAt: at.toISOString(),
        },
      }));
    });
  }

  importFinished(result: ImportFinished): Promise<void> {
    const type = result.state === "completed" ? "import.completed" : "import.failed";
    return this.#reporting(type, async () => {
      const at = result.finishedAt ?? new Date();
      await this.#tenantEvent(type, result.tenantId, at, () => ({
        data: {
          importId: result.importId,
          state: result.state,
          lines: result.lines,
          ...(result.error ? { error: result.error.slice(0, 500) } : {}),
          ...(result.startedAt ? { startedAt: result.startedAt.toISOString() } : {}),
          finishedAt: at.toISOString(),
        },
      }));
    });
  }

  /**
   * A tier's incident has lasted `now - startedAt`: every endpoint (of any tenant) subscribed to
   * `tier.degraded` whose degradedAfterMinutes that passes is told, once per incident.
   */
  async tierDegraded(incident: TierIncident, now: Date): Promise<number> {
    const lasted = now.getTime() - incident.startedAt.getTime();
    const due = (await this.#deps.endpoints.subscribers("tier.degraded")).filter(
      (e) => lasted >= e.degradedAfterMinutes * 60_000,
    );
    const ids = await this.queue("tier.degraded", due, now, () => ({
      data: {
        tier: incident.tier,
        since: incident.startedAt.toISOString(),
        degradedForMinutes: minutes(lasted),
        error: incident.error,
      },
      dedupeKey: `tier.degraded:${incident.tier}:${incident.startedAt.toISOString()}`,
    }));
    return ids.length;
  }

  /** An incident ended: the endpoints told of it (their threshold passed by its last failed check) hear so. */
  async tierRecovered(incident: TierIncident): Promise<number> {
    const lasted = incident.lastFailedAt.getTime() - incident.startedAt.getTime();
    const told = (await this.#deps.endpoints.subscribers("tier.degraded")).filter(
      (e) => lasted >= e.degradedAfterMinutes * 60_000,
    );
    const at = incident.endedAt ?? new Date();
    const ids = await this.queue("tier.recovered", told, at, () => ({
      data: {
        tier: incident.tier,
        since: incident.startedAt.toISOString(),
        recoveredAt: at.toISOString(),
        degradedForMinutes: minutes(at.getTime() - incident.startedAt.getTime()),
      },
      dedupeKey: `tier.recovered:${incident.tier}:${incident.startedAt.toISOString()}`,
    }));
    return ids.length;
  }

  /** Queues one event for these endpoints (one event id for all); the delivery ids queued. */
  async queue(
    type: DeliveredEventType,
    endpoints: readonly WebhookEndpoint[],
    at: Date,
    build: (endpoint: WebhookEndpoint) => Built,
  ): Promise<string[]> {
    if (endpoints.length === 0) return [];
    const eventId = newEventId();
    const deliveries: NewDelivery[] = endpoints.map((e) => {
      const { data, ...refs } = build(e);
      return {
        endpointId: e.id,
        tenantId: e.tenantId,
        eventId,
        eventType: type,
        payload: payloadOf(type, at, data),
        ...refs,
      };
    });
    return this.#deps.deliveries.enqueue(deliveries);
  }

  /** Queues a tenant's event for its subscribers; answers the endpoints it went to. */
  async #tenantEvent(
    type: WebhookEventType,
    tenantId: string,
    at: Date,
    build: (endpoint: WebhookEndpoint) => Built,
  ): Promise<WebhookEndpoint[]> {
    const endpoints = await this.#deps.endpoints.subscribers(type, tenantId);
    await this.queue(type, endpoints, at, build);
    return endpoints;
  }

  async #reporting(type: DeliveredEventType, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.#deps.logger.error("event not queued for webhooks", { type, cause: describeError(error) });
    }
  }
}

/** The memory an event is about, as the tenant names it. */
const memoryRef = (e: Exchange) => ({ userId: userIdOfKey(e.userId), memoryId: e.id, kind: e.kind });

/** A memory's text, for an endpoint that asked for it: a note's text, or an exchange's two sides. */
function textOf(e: Exchange): Record<string, unknown> {
  if (e.kind === "note") return { text: e.userMessage };
  return {
    userMessage: e.userMessage,
    botResponse: e.botResponse,
    ...(e.speaker ? { speaker: e.speaker } : {}),
  };
}
