/**
 * Webhooks as the edges and the worker see them: a tenant's endpoints (register, list, change,
 * delete, rotate the secret, send a test ping), their deliveries (list, send again), an overview for
 * the operator console, and the worker's round: due deliveries, then the tiers' health (a tier
 * failing longer than an endpoint's degradedAfterMinutes is reported once, its recovery too).
 * An unknown id and another tenant's answer the same NotFoundError.
 */

import {
  defaultDegradedAfterMinutes,
  type EndpointSettings,
  type TierIncident,
  type WebhookDelivery,
  type WebhookEndpoint,
  type WebhookEventType,
} from "../../domain/webhooks.js";
import { ConflictError, describeError, NotFoundError } from "../../errors/memory-error.js";
import type { TierConnectivity } from "../../tiers/probe.js";
import type { WebhookStores } from "../../tiers/stores.js";
import type { DeliveryPage } from "../../tiers/webhooks.js";
import type { Logger } from "../../util/logger.js";
import type { DispatchReport, DrainOptions, WebhookDispatcher } from "./dispatcher.js";
import type { WebhookEmitter } from "./emitter.js";
import { checkEndpointUrl, type UrlPolicy } from "./url-policy.js";

export interface EndpointInput {
  url: string;
  events: readonly WebhookEventType[];
  description?: string;
  includeText?: boolean;
  degradedAfterMinutes?: number;
  enabled?: boolean;
}

export type EndpointPatch = Partial<EndpointInput>;

export interface WebhookReport extends DispatchReport {
  /** Tier degraded/recovered deliveries queued this round. */
  tierEvents: number;
}

export interface WebhookOverview {
  endpoints: (WebhookEndpoint & { pending: number })[];
  incidents: TierIncident[];
}

export interface WebhookServiceDeps {
  stores: WebhookStores;
  emitter: WebhookEmitter;
  dispatcher: WebhookDispatcher;
  policy: UrlPolicy;
  /** Each enabled tier's health check now (or shortly before). */
  checkTiers: () => Promise<TierConnectivity[]>;
  logger: Logger;
}

/** How long a rotated-out secret keeps signing unless the tenant says otherwise. */
const defaultKeepPreviousSeconds = 86_400;

const notFound = (id: string) => new NotFoundError(`no webhook endpoint ${id}`);

export class WebhookService {
  readonly #deps: WebhookServiceDeps;

  constructor(deps: WebhookServiceDeps) {
    this.#deps = deps;
  }

  /** A new endpoint and its secret (shown this once). */
  async create(
    tenantId: string,
    input: EndpointInput,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    return this.#deps.stores.endpoints.create(tenantId, {
      url: checkEndpointUrl(input.url, this.#deps.policy),
      description: input.description ?? "",
      events: [...new Set(input.events)],
      includeText: input.includeText ?? false,
      degradedAfterMinutes: input.degradedAfterMinutes ?? defaultDegradedAfterMinutes,
      enabled: input.enabled ?? true,
    });
  }

  list(tenantId: string): Promise<WebhookEndpoint[]> {
    return this.#deps.stores.endpoints.list(tenantId);
  }

  async get(tenantId: string, id: string): Promise<WebhookEndpoint> {
    const found = await this.#deps.stores.endpoints.get(tenantId, id);
    if (!found) throw notFound(id);
    return found;
  }

  async update(tenantId: string, id: string, patch: EndpointPatch): Promise<WebhookEndpoint> {
    const settings: Partial<EndpointSettings> = {
      ...patch,
      url: patch.url === undefined ? undefined : checkEndpointUrl(patch.url, this.#deps.policy),
      events: patch.events === undefined ? undefined : [...new Set(patch.events)],
    };
    const updated = await this.#deps.stores.endpoints.update(tenantId, id, settings);
    if (!updated) throw notFound(id);
    return updated;
  }

  async delete(tenantId: string, id: string): Promise<void> {
    if (!(await this.#deps.stores.endpoints.delete(tenantId, id))) throw notFound(id);
  }

  /** A fresh secret; the old one also signs for `keepPreviousForSeconds` (default a day), so receivers can switch. */
  async rotateSecret(
    tenantId: string,
    id: string,
    keepPreviousForSeconds = defaultKeepPreviousSeconds,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
    const until = new Date(Date.now() + keepPreviousForSeconds * 1000);
    const rotated = await this.#deps.stores.endpoints.rotateSecret(tenantId, id, until);
    if (!rotated) throw notFound(id);
    return rotated;
  }

  /** Sends a `webhook.ping` now; answers its delivery as it stands after the first attempt. */
  async ping(tenantId: string, id: string): Promise<WebhookDelivery> {
    const endpoint = await this.get(tenantId, id);
    if (!endpoint.enabled) throw new ConflictError(`webhook endpoint ${id} is disabled; enable it first`);
    const at = new Date();
    const [queued] = await this.#deps.emitter.queue("webhook.ping", [endpoint], at, () => ({
      data: {
        endpointId: endpoint.id,
        message: "A test event: this endpoint receives the memory's webhooks.",
      },
    }));
    if (!queued) throw new Error("the ping was not queued");
    await this.#deps.dispatcher.deliver([queued]);
    return this.#delivery(tenantId, id, queued);
  }

  /** An endpoint's deliveries, newest first; NotFoundError for an endpoint that is not the tenant's. */
  async deliveries(tenantId: string, id: string, page: DeliveryPage): Promise<WebhookDelivery[]> {
    await this.get(tenantId, id);
    return this.#deps.stores.deliveries.list(tenantId, id, page);
  }

  /** Queues a delivery again and attempts it now; answers it as it stands after the attempt. */
  async redeliver(tenantId: string, id: string, deliveryId: string): Promise<WebhookDelivery> {
    const endpoint = await this.get(tenantId, id);
    const again = await this.#deps.stores.deliveries.redeliver(tenantId, id, deliveryId);
    if (!again) throw new NotFoundError(`no delivery ${deliveryId} of webhook endpoint ${id}`);
    if (endpoint.enabled) await this.#deps.dispatcher.deliver([deliveryId]);
    return this.#delivery(tenantId, id, deliveryId);
  }

  /** Every tenant's endpoints with their pending deliveries, and the tiers' open incidents (the console). */
  async overview(): Promise<WebhookOverview> {
    const { endpoints, deliveries, incidents } = this.#deps.stores;
    const [all, pending, open] = await Promise.all([
      endpoints.list(),
      deliveries.pending(),
      incidents.open(),
    ]);
    return { endpoints: all.map((e) => ({ ...e, pending: pending.get(e.id) ?? 0 })), incidents: open };
  }

  /**
   * The worker's round: the tiers' health (what it queues goes out in the same round), then due
   * deliveries. `now`: the time the health check counts as (tests); default the clock's.
   */
  async work(options: DrainOptions & { now?: Date } = {}): Promise<WebhookReport> {
    const tierEvents = await this.#checkTiers(options.now ?? new Date());
    return { ...(await this.#deps.dispatcher.drain(options)), tierEvents };
  }

  /**
   * Records each tier's health check as incidents and reports them. Only while some endpoint wants
   * to hear of it: otherwise the worker pings nothing (an incident then starts at the first check
   * after an endpoint subscribes).
   */
  async #checkTiers(now: Date): Promise<number> {
    const { checkTiers, stores, emitter, logger } = this.#deps;
    let queued = 0;
    try {
      if ((await stores.endpoints.subscribers("tier.degraded")).length === 0) return 0;
      for (const r of await checkTiers()) {
        // Incidents and deliveries live in Postgres: its own outage cannot be recorded there.
        if (r.tier === "postgres" && !r.ok) continue;
        const { open, ended } = await stores.incidents.observe(r.tier, r.ok, now, r.error);
        if (open) queued += await emitter.tierDegraded(open, now);
        if (ended) queued += await emitter.tierRecovered(ended);
      }
    } catch (error) {
      logger.warn("tier health not recorded for webhooks", { cause: describeError(error) });
    }
    return queued;
  }

  async #delivery(tenantId: string, id: string, deliveryId: string): Promise<WebhookDelivery> {
    const found = await this.#deps.stores.deliveries.get(tenantId, id, deliveryId);
    if (!found) throw new NotFoundError(`no delivery ${deliveryId} of webhook endpoint ${id}`);
    return found;
  }
}
