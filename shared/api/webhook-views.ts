/**
 * How an endpoint and a delivery are shown to clients (never an endpoint's secret: the answers that
 * make one add it, once), and the deliveries listing's cursor.
 */
import type { z } from "@hono/zod-openapi";
import type { WebhookDelivery, WebhookEndpoint } from "../domain/webhooks.js";
import { problems } from "./problems.js";
import type { DeliveryView, EndpointView } from "./webhook-schemas.js";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const endpointView = (e: WebhookEndpoint): z.infer<typeof EndpointView> => ({
  id: e.id,
  url: e.url,
  description: e.description,
  events: e.events,
  includeText: e.includeText,
  degradedAfterMinutes: e.degradedAfterMinutes,
  enabled: e.enabled,
  disabledReason: e.disabledReason,
  createdAt: e.createdAt.toISOString(),
  updatedAt: e.updatedAt.toISOString(),
  previousSecretExpiresAt: iso(e.previousSecretExpiresAt),
  lastDelivery: {
    at: iso(e.health.lastAttemptAt),
    status: e.health.lastStatus,
    responseStatus: e.health.lastResponseStatus,
    error: e.health.lastError,
  },
  failureStreak: e.health.failureStreak,
  failingSince: iso(e.health.failingSince),
});

export const deliveryView = (d: WebhookDelivery): z.infer<typeof DeliveryView> => ({
  id: d.id,
  eventId: d.eventId,
  eventType: d.eventType,
  status: d.status,
  attempts: d.attempts,
  createdAt: d.createdAt.toISOString(),
  nextAttemptAt: iso(d.nextAttemptAt),
  lastAttemptAt: iso(d.lastAttemptAt),
  responseStatus: d.responseStatus,
  error: d.error,
  deliveredAt: iso(d.deliveredAt),
  payload: JSON.parse(d.payload) as Record<string, unknown>,
});

/** A deliveries page's cursor: the (createdAt, id) of its last delivery, opaque to clients. */
export const encodeDeliveryCursor = (d: Pick<WebhookDelivery, "createdAt" | "id">) =>
  Buffer.from(JSON.stringify([d.createdAt.toISOString(), d.id])).toString("base64url");

export function decodeDeliveryCursor(value: string): { createdAt: Date; id: string } {
  try {
    const [time, id] = JSON.parse(Buffer.from(value, "base64url").toString("utf8")) as [string, string];
    const createdAt = new Date(time);
    if (!Number.isNaN(createdAt.getTime()) && typeof id === "string" && /^[0-9a-f-]{36}$/.test(id))
      return { createdAt, id };
  } catch {
    // Falls through to the 400.
  }
  throw problems.badRequest("cursor is not one this API returned");
}
