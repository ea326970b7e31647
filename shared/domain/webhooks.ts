/**
 * Events and webhooks: what a tenant can subscribe to, an endpoint as the memory keeps it, and one
 * delivery of one event to one endpoint. Payloads follow the Standard Webhooks shape
 * (`{type, timestamp, data}`) and carry ids, counts and times only; an endpoint that opted in
 * (`includeText`) also gets the text of a corrected memory.
 */
import type { TierName } from "./tiers.js";

/** The events an endpoint can subscribe to. `tier.degraded` also brings `tier.recovered`. */
export const webhookEventTypes = [
  "import.completed",
  "import.failed",
  "migration.completed",
  "migration.failed",
  "user.erased",
  "memory.deleted",
  "memory.corrected",
  "tier.degraded",
] as const;
export type WebhookEventType = (typeof webhookEventTypes)[number];

/** Every type a delivery can carry: the subscribable ones, the recovery of a degraded tier, and a test. */
export const deliveredEventTypes = [...webhookEventTypes, "tier.recovered", "webhook.ping"] as const;
export type DeliveredEventType = (typeof deliveredEventTypes)[number];

/** What each event means, for the OpenAPI document and the README. */
export const webhookEventMeanings: Record<DeliveredEventType, string> = {
  "import.completed": "a bulk import finished: counts of lines imported, existing and refused",
  "import.failed": "a bulk import stopped: counts so far and the reason",
  "migration.completed": "a legacy migration run finished with every batch committed",
  "migration.failed": "a legacy migration run finished with batches that failed (resume it)",
  "user.erased": "a user was erased from every tier",
  "memory.deleted": "one exchange or note was erased",
  "memory.corrected": "one exchange or note was corrected (its new text only with includeText)",
  "tier.degraded": "a tier has failed its health checks for longer than the endpoint's degradedAfterMinutes",
  "tier.recovered": "a tier reported degraded answers its health checks again",
  "webhook.ping": "a test event, sent on request",
};

/** The events that name a user: erasing the user erases their deliveries. */
export const userEventTypes: readonly DeliveredEventType[] = [
  "user.erased",
  "memory.deleted",
  "memory.corrected",
];

export type DeliveryStatus = "pending" | "delivered" | "failed";
export const deliveryStatuses: readonly DeliveryStatus[] = ["pending", "delivered", "failed"];

/** Most endpoints one tenant may register. */
export const maxEndpointsPerTenant = 20;
/** A tier is reported degraded once it has failed for this long, unless the endpoint says otherwise. */
export const defaultDegradedAfterMinutes = 5;

/** What a tenant chooses for an endpoint. */
export interface EndpointSettings {
  /** https:// (http:// only to loopback, where the config allows it). */
  url: string;
  description: string;
  events: WebhookEventType[];
  /** Corrected memories' text in `memory.corrected`; default false: ids, counts and times only. */
  includeText: boolean;
  /** `tier.degraded` once a tier has failed this long (1-1440). */
  degradedAfterMinutes: number;
  enabled: boolean;
}

/** The outcome of an endpoint's latest attempt, and its streak of failures. */
export interface EndpointHealth {
  lastAttemptAt: Date | null;
  /** The latest attempt's outcome. */
  lastStatus: "delivered" | "failed" | null;
  /** The receiver's HTTP status, when it answered. */
  lastResponseStatus: number | null;
  /** Why the latest attempt failed (a code, or the receiver's status). */
  lastError: string | null;
  /** Failed attempts in a row since the last success. */
  failureStreak: number;
  failingSince: Date | null;
}

export interface WebhookEndpoint extends EndpointSettings {
  id: string;
  tenantId: string;
  /** Why the service disabled it (a long failure streak); null when enabled or disabled by the tenant. */
  disabledReason: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Until then deliveries are also signed with the secret a rotation replaced. */
  previousSecretExpiresAt: Date | null;
  health: EndpointHealth;
}

export interface WebhookDelivery {
  id: string;
  endpointId: string;
  tenantId: string;
  /** The `webhook-id` header: the same on every attempt, so a receiver can drop repeats. */
  eventId: string;
  eventType: DeliveredEventType;
  status: DeliveryStatus;
  attempts: number;
  createdAt: Date;
  /** When the next attempt is due (pending only). */
  nextAttemptAt: Date | null;
  lastAttemptAt: Date | null;
  responseStatus: number | null;
  error: string | null;
  deliveredAt: Date | null;
  /** The body as sent: `{type, timestamp, data}`. */
  payload: string;
}

/** A tier's stretch of failed health checks; `endedAt` null while it lasts. */
export interface TierIncident {
  tier: TierName;
  startedAt: Date;
  /** The latest failed check: endpoints whose degradedAfterMinutes it passed were told. */
  lastFailedAt: Date;
  endedAt: Date | null;
  /** The latest failure code (unreachable, timeout, ...). */
  error: string | null;
}
