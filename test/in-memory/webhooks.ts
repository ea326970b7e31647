/**
 * In-memory test doubles of the webhook ports (shared/tiers/webhooks.ts): endpoints and deliveries
 * share one WebhookState, as the Postgres ones share tables (a delivery goes with its endpoint, a
 * disabled endpoint's deliveries are not claimed).
 */
import type { TierName } from "../../shared/domain/tiers.js";
import {
  type DeliveryStatus,
  type EndpointSettings,
  maxEndpointsPerTenant,
  type TierIncident,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEventType,
} from "../../shared/domain/webhooks.js";
import { ConflictError } from "../../shared/errors/memory-error.js";
import {
  type AttemptOutcome,
  type ClaimedDelivery,
  type DeliveryPage,
  type DisableRule,
  type EndpointSigning,
  isWebhookId,
  type NewDelivery,
  newWebhookSecret,
  type TierIncidents,
  type WebhookDeliveries,
  type WebhookEndpoints,
} from "../../shared/tiers/webhooks.js";

interface EndpointRecord {
  endpoint: WebhookEndpoint;
  secret: string;
  previousSecret: string | null;
}

interface DeliveryRecord {
  delivery: WebhookDelivery;
  due: number;
  userId?: string;
  exchangeId?: string;
  dedupeKey?: string;
}

export class WebhookState {
  readonly endpoints = new Map<string, EndpointRecord>();
  readonly deliveries = new Map<string, DeliveryRecord>();
}

const copyEndpoint = (e: WebhookEndpoint): WebhookEndpoint => structuredClone(e);
const copyDelivery = (d: WebhookDelivery): WebhookDelivery => structuredClone(d);

/** Strictly increasing times, as Postgres's clock_timestamp() gives within one process. */
let lastMs = 0;
const tick = () => {
  lastMs = Math.max(lastMs + 1, Date.now());
  return new Date(lastMs);
};

export class InMemoryWebhookEndpoints implements WebhookEndpoints {
  readonly #state: WebhookState;

  constructor(state: WebhookState) {
    this.#state = state;
  }

  async create(tenantId: string, settings: EndpointSettings) {
    if ((await this.list(tenantId)).length >= maxEndpointsPerTenant)
      throw new ConflictError(
        `a tenant has at most ${maxEndpointsPerTenant} webhook endpoints; delete one first`,
      );
    const now = tick();
    const endpoint: WebhookEndpoint = {
      ...structuredClone(settings),
      id: crypto.randomUUID(),
      tenantId,
      disabledReason: null,
      createdAt: now,
      updatedAt: now,
      previousSecretExpiresAt: null,
      health: {
        lastAttemptAt: null,
        lastStatus: null,
        lastResponseStatus: null,
        lastError: null,
        failureStreak: 0,
        failingSince: null,
      },
    };
    const secret = newWebhookSecret();
    this.#state.endpoints.set(endpoint.id, { endpoint, secret, previousSecret: null });
    return { endpoint: copyEndpoint(endpoint), secret };
  }

  async list(tenantId?: string): Promise<WebhookEndpoint[]> {
    return [...this.#state.endpoints.values()]
      .map((r) => r.endpoint)
      .filter((e) => tenantId === undefined || e.tenantId === tenantId)
      .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
      .map(copyEndpoint);
  }

  async get(tenantId: string, id: string): Promise<WebhookEndpoint | undefined> {
    const found = this.#mine(tenantId, id);
    return found && copyEndpoint(found.endpoint);
  }

  async update(tenantId: string, id: string, patch: Partial<EndpointSettings>) {
    const found = this.#mine(tenantId, id);
    if (!found) return undefined;
    const e = found.endpoint;
    for (const [name, value] of Object.entries(patch))
      if (value !== undefined) Object.assign(e, { [name]: structuredClone(value) });
    if (patch.enabled === true) {
      e.disabledReason = null;
      e.health.failureStreak = 0;
      e.health.failingSince = null;
    }
    e.updatedAt = tick();
    return copyEndpoint(e);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    if (!this.#mine(tenantId, id)) return false;
    this.#state.endpoints.delete(id);
    for (const [key, d] of this.#state.deliveries)
      if (d.delivery.endpointId === id) this.#state.deliveries.delete(key);
    return true;
  }

  async rotateSecret(tenantId: string, id: string, previousUntil: Date) {
    const found = this.#mine(tenantId, id);
    if (!found) return undefined;
    const keep = previousUntil.getTime() > Date.now();
    found.previousSecret = keep ? found.secret : null;
    found.endpoint.previousSecretExpiresAt = keep ? new Date(previousUntil) : null;
    found.secret = newWebhookSecret();
    found.endpoint.updatedAt = tick();
    return { endpoint: copyEndpoint(found.endpoint), secret: found.secret };
  }

  async subscribers(event: WebhookEventType, tenantId?: string): Promise<WebhookEndpoint[]> {
    return (await this.list(tenantId)).filter((e) => e.enabled && e.events.includes(event));
  }

  async signing(ids: readonly string[]): Promise<Map<string, EndpointSigning>> {
    const found = new Map<string, EndpointSigning>();
    for (const id of ids) {
      const r = this.#state.endpoints.get(id);
      if (!r) continue;
      const previousValid =
        r.previousSecret !== null && (r.endpoint.previousSecretExpiresAt?.getTime() ?? 0) > Date.now();
      found.set(id, {
        url: r.endpoint.url,
        enabled: r.endpoint.enabled,
        secrets: previousValid && r.previousSecret ? [r.secret, r.previousSecret] : [r.secret],
      });
    }
    return found;
  }

  async recordAttempt(id: string, outcome: AttemptOutcome, disable?: DisableRule): Promise<boolean> {
    const r = this.#state.endpoints.get(id);
    if (!r) return false;
    const { endpoint: e } = r;
    const h = e.health;
    h.lastAttemptAt = new Date(outcome.at);
    h.lastStatus = outcome.ok ? "delivered" : "failed";
    h.lastResponseStatus = outcome.responseStatus ?? null;
    h.lastError = outcome.ok ? null : (outcome.error ?? "failed").slice(0, 500);
    if (outcome.ok) {
      h.failureStreak = 0;
      h.failingSince = null;
      return false;
    }
    h.failureStreak++;
    h.failingSince ??= new Date(outcome.at);
    const due =
      disable !== undefined &&
      disable.afterFailures > 0 &&
      h.failureStreak >= disable.afterFailures &&
      h.failingSince.getTime() <= outcome.at.getTime() - disable.afterMs;
    if (!e.enabled || !due) return false;
    e.enabled = false;
    e.disabledReason = `disabled after ${h.failureStreak} failed attempts in a row since ${h.failingSince.toISOString().slice(0, 19)}Z`;
    return true;
  }

  #mine(tenantId: string, id: string): EndpointRecord | undefined {
    const found = isWebhookId(id) ? this.#state.endpoints.get(id) : undefined;
    return found?.endpoint.tenantId === tenantId ? found : undefined;
  }
}

export class InMemoryWebhookDeliveries implements WebhookDeliveries {
  readonly #state: WebhookState;

  constructor(state: WebhookState) {
    this.#state = state;
  }

  async enqueue(deliveries: readonly NewDelivery[]): Promise<string[]> {
    const ids: string[] = [];
    for (const d of deliveries) {
      if (!this.#state.endpoints.has(d.endpointId)) throw new Error(`no endpoint ${d.endpointId}`);
      const taken =
        d.dedupeKey !== undefined &&
        [...this.#state.deliveries.values()].some(
          (r) => r.delivery.endpointId === d.endpointId && r.dedupeKey === d.dedupeKey,
        );
      if (taken) continue;
      const id = crypto.randomUUID();
      this.#state.deliveries.set(id, {
        delivery: {
          id,
          endpointId: d.endpointId,
          tenantId: d.tenantId,
          eventId: d.eventId,
          eventType: d.eventType,
          status: "pending",
          attempts: 0,
          createdAt: tick(),
          nextAttemptAt: new Date(),
          lastAttemptAt: null,
          responseStatus: null,
          error: null,
          deliveredAt: null,
          payload: d.payload,
        },
        due: Date.now(),
        userId: d.userId,
        exchangeId: d.exchangeId,
        dedupeKey: d.dedupeKey,
      });
      ids.push(id);
    }
    return ids;
  }

  async claim(
    limit: number,
    leaseMs: number,
    only: { ids?: readonly string[] } = {},
  ): Promise<ClaimedDelivery[]> {
    const now = Date.now();
    const due = [...this.#state.deliveries.values()]
      .filter(
        (r) =>
          r.delivery.status === "pending" &&
          r.due <= now &&
          this.#state.endpoints.get(r.delivery.endpointId)?.endpoint.enabled === true &&
          (only.ids === undefined || only.ids.includes(r.delivery.id)),
      )
      .sort((a, b) => a.due - b.due || a.delivery.createdAt.getTime() - b.delivery.createdAt.getTime())
      .slice(0, limit);
    return due.map((r) => {
      r.due = now + leaseMs;
      r.delivery.nextAttemptAt = new Date(r.due);
      r.delivery.attempts++;
      const { id, endpointId, eventId, eventType, payload, attempts } = r.delivery;
      return { id, endpointId, eventId, eventType, payload, attempts, exchangeId: r.exchangeId ?? null };
    });
  }

  async delivered(id: string, outcome: AttemptOutcome): Promise<void> {
    const d = this.#state.deliveries.get(id)?.delivery;
    if (!d) return;
    Object.assign(d, {
      status: "delivered",
      deliveredAt: new Date(outcome.at),
      lastAttemptAt: new Date(outcome.at),
      responseStatus: outcome.responseStatus ?? null,
      error: null,
      nextAttemptAt: null,
    });
  }

  async retry(id: string, nextAt: Date, outcome: AttemptOutcome): Promise<void> {
    const r = this.#state.deliveries.get(id);
    if (r?.delivery.status !== "pending") return;
    r.due = nextAt.getTime();
    Object.assign(r.delivery, {
      nextAttemptAt: new Date(nextAt),
      lastAttemptAt: new Date(outcome.at),
      responseStatus: outcome.responseStatus ?? null,
      error: (outcome.error ?? "failed").slice(0, 500),
    });
  }

  async failed(id: string, outcome: AttemptOutcome): Promise<void> {
    const d = this.#state.deliveries.get(id)?.delivery;
    if (!d) return;
    Object.assign(d, {
      status: "failed",
      nextAttemptAt: null,
      lastAttemptAt: new Date(outcome.at),
      responseStatus: outcome.responseStatus ?? null,
      error: (outcome.error ?? "failed").slice(0, 500),
    });
  }

  async list(tenantId: string, endpointId: string, page: DeliveryPage): Promise<WebhookDelivery[]> {
    const before = page.before;
    return [...this.#state.deliveries.values()]
      .map((r) => r.delivery)
      .filter(
        (d) =>
          d.tenantId === tenantId &&
          d.endpointId === endpointId &&
          (page.status === undefined || d.status === page.status) &&
          (before === undefined ||
            d.createdAt.getTime() < before.createdAt.getTime() ||
            (d.createdAt.getTime() === before.createdAt.getTime() && d.id < before.id)),
      )
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (b.id > a.id ? 1 : -1))
      .slice(0, page.limit)
      .map(copyDelivery);
  }

  async get(tenantId: string, endpointId: string, id: string): Promise<WebhookDelivery | undefined> {
    const d = this.#state.deliveries.get(id)?.delivery;
    return d?.tenantId === tenantId && d.endpointId === endpointId ? copyDelivery(d) : undefined;
  }

  async redeliver(tenantId: string, endpointId: string, id: string): Promise<WebhookDelivery | undefined> {
    const r = this.#state.deliveries.get(id);
    if (!r || r.delivery.tenantId !== tenantId || r.delivery.endpointId !== endpointId) return undefined;
    r.due = Date.now();
    Object.assign(r.delivery, {
      status: "pending" satisfies DeliveryStatus,
      attempts: 0,
      nextAttemptAt: new Date(r.due),
      deliveredAt: null,
    });
    return copyDelivery(r.delivery);
  }

  async forgetUser(userId: string): Promise<number> {
    return this.#forget((r) => r.userId === userId);
  }

  async forgetExchange(exchangeId: string): Promise<number> {
    return this.#forget((r) => r.exchangeId === exchangeId);
  }

  async prune(before: Date): Promise<number> {
    return this.#forget((r) => r.delivery.status !== "pending" && r.delivery.createdAt < before);
  }

  async pending(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const { delivery: d } of this.#state.deliveries.values())
      if (d.status === "pending") counts.set(d.endpointId, (counts.get(d.endpointId) ?? 0) + 1);
    return counts;
  }

  #forget(matches: (r: DeliveryRecord) => boolean): number {
    let n = 0;
    for (const [id, r] of this.#state.deliveries)
      if (matches(r)) {
        this.#state.deliveries.delete(id);
        n++;
      }
    return n;
  }
}

export class InMemoryTierIncidents implements TierIncidents {
  readonly #incidents: TierIncident[] = [];

  async observe(tier: TierName, ok: boolean, at: Date, error?: string) {
    const open = this.#incidents.find((i) => i.tier === tier && i.endedAt === null);
    if (ok) {
      if (!open) return {};
      open.endedAt = new Date(Math.max(at.getTime(), open.startedAt.getTime()));
      return { ended: { ...open } };
    }
    if (open) {
      open.error = error ?? open.error;
      open.lastFailedAt = new Date(Math.max(open.lastFailedAt.getTime(), at.getTime()));
      return { open: { ...open } };
    }
    const started: TierIncident = {
      tier,
      startedAt: new Date(at),
      lastFailedAt: new Date(at),
      endedAt: null,
      error: error ?? null,
    };
    this.#incidents.push(started);
    return { open: { ...started } };
  }

  async open(): Promise<TierIncident[]> {
    return this.#incidents
      .filter((i) => i.endedAt === null)
      .sort((a, b) => a.tier.localeCompare(b.tier))
      .map((i) => ({ ...i }));
  }
}
