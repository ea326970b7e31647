/**
 * Ports of events and webhooks: the endpoints tenants register (WebhookEndpoints), the durable queue
 * of deliveries drained by the worker (WebhookDeliveries), and tiers' stretches of failed health
 * checks (TierIncidents). Implemented in Postgres (shared/tiers/postgres/webhook-*.ts); a delivery
 * belongs to an endpoint and goes with it. Secrets are `whsec_` + base64 of 32 random bytes (the
 * Standard Webhooks format): kept as they are, since signing needs them, and shown once.
 */
import { randomBytes } from "node:crypto";
import { isUuid } from "../domain/identity.js";
import type { TierName } from "../domain/tiers.js";
import type {
  DeliveredEventType,
  DeliveryStatus,
  EndpointSettings,
  TierIncident,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookEventType,
} from "../domain/webhooks.js";

export interface WebhookEndpoints {
  /** A tenant's endpoint with a fresh secret (shown once); ConflictError past maxEndpointsPerTenant. */
  create(
    tenantId: string,
    settings: EndpointSettings,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string }>;
  /** The tenant's endpoints, oldest first; every tenant's without one (the console). */
  list(tenantId?: string): Promise<WebhookEndpoint[]>;
  /** Undefined for an unknown id, another tenant's, or one that is not an id. */
  get(tenantId: string, id: string): Promise<WebhookEndpoint | undefined>;
  /** Enabling clears `disabledReason` and the failure streak. */
  update(
    tenantId: string,
    id: string,
    patch: Partial<EndpointSettings>,
  ): Promise<WebhookEndpoint | undefined>;
  /** True when it existed; its deliveries go with it. */
  delete(tenantId: string, id: string): Promise<boolean>;
  /** A fresh secret; the one it replaces still signs until `previousUntil` (none when not in the future). */
  rotateSecret(
    tenantId: string,
    id: string,
    previousUntil: Date,
  ): Promise<{ endpoint: WebhookEndpoint; secret: string } | undefined>;
  /** Enabled endpoints subscribed to `event`: of one tenant, or of every tenant (tier events). */
  subscribers(event: WebhookEventType, tenantId?: string): Promise<WebhookEndpoint[]>;
  /** Where to send and the secrets that sign (newest first; a replaced one until it expires), by id. */
  signing(ids: readonly string[]): Promise<Map<string, EndpointSigning>>;
  /**
   * Records an attempt's outcome. A success ends the failure streak; a failure that makes the streak
   * `disable.afterFailures` long, begun at least `disable.afterMs` ago, disables the endpoint (with a
   * reason). True when this call disabled it.
   */
  recordAttempt(id: string, outcome: AttemptOutcome, disable?: DisableRule): Promise<boolean>;
}

export interface EndpointSigning {
  url: string;
  enabled: boolean;
  secrets: string[];
}

export interface AttemptOutcome {
  ok: boolean;
  at: Date;
  responseStatus?: number;
  error?: string;
}

export interface DisableRule {
  afterFailures: number;
  afterMs: number;
}

/** One event for one endpoint, to queue. */
export interface NewDelivery {
  endpointId: string;
  tenantId: string;
  eventId: string;
  eventType: DeliveredEventType;
  payload: string;
  /** The user (`tenant/user` key) the payload names: erasing the user erases the delivery. */
  userId?: string;
  /** The exchange or note whose text the payload carries: erasing it erases the delivery. */
  exchangeId?: string;
  /** An endpoint gets one delivery per key (a tier incident is reported once). */
  dedupeKey?: string;
}

/** A delivery claimed for an attempt; `attempts` counts this one. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  eventId: string;
  eventType: DeliveredEventType;
  payload: string;
  attempts: number;
  exchangeId: string | null;
}

export interface DeliveryPage {
  limit: number;
  /** The page starts after this delivery (newest first). */
  before?: { createdAt: Date; id: string };
  status?: DeliveryStatus;
}

export interface WebhookDeliveries {
  /** Queues deliveries, due now; one whose dedupeKey its endpoint already has is left out. The ids queued. */
  enqueue(deliveries: readonly NewDelivery[]): Promise<string[]>;
  /** Claims due pending deliveries of enabled endpoints (optionally only these) for `leaseMs`. */
  claim(limit: number, leaseMs: number, only?: { ids?: readonly string[] }): Promise<ClaimedDelivery[]>;
  delivered(id: string, outcome: AttemptOutcome): Promise<void>;
  /** Another attempt is due at `nextAt`. */
  retry(id: string, nextAt: Date, outcome: AttemptOutcome): Promise<void>;
  /** No attempt is left. */
  failed(id: string, outcome: AttemptOutcome): Promise<void>;
  /** A tenant's deliveries to one endpoint, newest first. */
  list(tenantId: string, endpointId: string, page: DeliveryPage): Promise<WebhookDelivery[]>;
  /** One delivery of the tenant's endpoint; undefined for an unknown id or another tenant's. */
  get(tenantId: string, endpointId: string, id: string): Promise<WebhookDelivery | undefined>;
  /** Queues a delivery again (due now, attempts from 0); undefined when the tenant has no such delivery. */
  redeliver(tenantId: string, endpointId: string, id: string): Promise<WebhookDelivery | undefined>;
  /** Deletes every delivery naming the user, whatever its status; how many. */
  forgetUser(userId: string): Promise<number>;
  /** Deletes every delivery carrying the exchange's text; how many. */
  forgetExchange(exchangeId: string): Promise<number>;
  /** Deletes delivered and failed deliveries created before `before`; how many. */
  prune(before: Date): Promise<number>;
  /** Pending deliveries per endpoint id. */
  pending(): Promise<Map<string, number>>;
}

export interface TierIncidents {
  /**
   * Records a health check: a failure opens an incident unless one is open (and notes its code), a
   * success ends the open one. Answers the incident open after the check and the one it ended.
   */
  observe(
    tier: TierName,
    ok: boolean,
    at: Date,
    error?: string,
  ): Promise<{ open?: TierIncident; ended?: TierIncident }>;
  /** Incidents not yet ended. */
  open(): Promise<TierIncident[]>;
}

/** A fresh endpoint secret: `whsec_` + base64 of 32 random bytes. */
export const newWebhookSecret = () => `whsec_${randomBytes(32).toString("base64")}`;

/** Endpoint and delivery ids are UUIDs; anything else names nothing. */
export const isWebhookId = isUuid;
