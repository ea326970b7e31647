/**
 * Request and response schemas of webhooks (endpoints, deliveries): the validation at the edge and
 * the OpenAPI document; and how an endpoint and a delivery are shown (never an endpoint's secret,
 * except once in the answer that made it).
 */
import { z } from "@hono/zod-openapi";
import {
  deliveredEventTypes,
  deliveryStatuses,
  type WebhookDelivery,
  type WebhookEndpoint,
  webhookEventMeanings,
  webhookEventTypes,
} from "../domain/webhooks.js";
import { problems } from "./problems.js";

const eventList = webhookEventTypes.map((t) => `\`${t}\`: ${webhookEventMeanings[t]}`).join("; ");

export const WebhookEventType = z.enum(webhookEventTypes).openapi({ description: eventList });

const url = z.string().max(2048).openapi({
  description:
    "Where deliveries are POSTed: https:// on a public address (private networks are refused; http:// to this machine only in the local emulation).",
  example: "https://bot.example.com/hooks/memory",
});
const events = z
  .array(WebhookEventType)
  .min(1)
  .max(webhookEventTypes.length * 2)
  .openapi({
    description: `The events to receive. ${eventList}. \`tier.degraded\` also brings \`tier.recovered\`.`,
  });
const description = z.string().max(500).openapi({ description: "A note for you; default empty." });
const includeText = z.boolean().openapi({
  description:
    "Send the text of corrected memories in `memory.corrected`. Default false: ids, counts and times only. Queued deliveries with text are erased with the memory or its user.",
});
const degradedAfterMinutes = z.number().int().min(0).max(1440).openapi({
  description:
    "Report `tier.degraded` once a tier has failed its health checks this long (0: at once). Default 5.",
});
const enabled = z.boolean().openapi({
  description: "Deliveries go out while enabled. Enabling again ends a failure streak. Default true.",
});

export const WebhookParams = z.object({
  id: z.uuid({ error: "must be a webhook endpoint id (a UUID)" }).openapi({
    param: { name: "id", in: "path" },
    example: "5f0c6a9e-8a4b-4f8e-9f62-2d7d3c1b8e41",
  }),
});

export const DeliveryParams = WebhookParams.extend({
  deliveryId: z.uuid({ error: "must be a delivery id (a UUID)" }).openapi({
    param: { name: "deliveryId", in: "path" },
    example: "9a1d2c3b-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
  }),
});

export const EndpointRequest = z
  .object({
    url,
    events,
    description: description.optional(),
    includeText: includeText.optional(),
    degradedAfterMinutes: degradedAfterMinutes.optional(),
    enabled: enabled.optional(),
  })
  .strict()
  .openapi("WebhookEndpointRequest");

export const EndpointPatchRequest = z
  .object({
    url: url.optional(),
    events: events.optional(),
    description: description.optional(),
    includeText: includeText.optional(),
    degradedAfterMinutes: degradedAfterMinutes.optional(),
    enabled: enabled.optional(),
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: "name at least one field to change",
  })
  .openapi("WebhookEndpointPatch");

export const RotateRequest = z
  .object({
    keepPreviousForSeconds: z.number().int().min(0).max(604_800).optional().openapi({
      description:
        "How long the replaced secret also signs deliveries (a second `v1,` signature), so receivers can switch; default 86400 (a day), 0 ends it now.",
    }),
  })
  .strict()
  .openapi("WebhookRotateRequest");

const at = z.iso.datetime().nullable();

export const EndpointView = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string(),
    events: z.array(WebhookEventType),
    includeText: z.boolean(),
    degradedAfterMinutes: z.number().int(),
    enabled: z.boolean(),
    disabledReason: z
      .string()
      .nullable()
      .openapi({ description: "Why the service disabled it (a long failure streak)." }),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    previousSecretExpiresAt: at.openapi({
      description: "Until then the secret a rotation replaced also signs.",
    }),
    lastDelivery: z
      .object({
        at,
        status: z.enum(["delivered", "failed"]).nullable(),
        responseStatus: z.number().int().nullable(),
        error: z.string().nullable(),
      })
      .openapi({ description: "The latest attempt to this endpoint." }),
    failureStreak: z
      .number()
      .int()
      .openapi({ description: "Failed attempts in a row since the last success." }),
    failingSince: at,
  })
  .openapi("WebhookEndpoint");

export const EndpointCreated = EndpointView.extend({
  secret: z.string().openapi({
    description:
      "The signing secret (`whsec_...`), shown only in this answer: keep it to verify deliveries (README, Events).",
  }),
}).openapi("WebhookEndpointWithSecret");

export const EndpointList = z.object({ endpoints: z.array(EndpointView) }).openapi("WebhookEndpointList");

export const DeliveryView = z
  .object({
    id: z.string(),
    eventId: z.string().openapi({ description: "The `webhook-id` header: the same on every attempt." }),
    eventType: z.enum(deliveredEventTypes),
    status: z.enum(deliveryStatuses),
    attempts: z.number().int(),
    createdAt: z.iso.datetime(),
    nextAttemptAt: at,
    lastAttemptAt: at,
    responseStatus: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "The receiver's HTTP status at the latest attempt." }),
    error: z.string().nullable().openapi({
      description:
        "Why the latest attempt failed: `HTTP <status>`, or timeout, refused, dns, tls, reset, unreachable, private-address.",
    }),
    deliveredAt: at,
    payload: z
      .record(z.string(), z.unknown())
      .openapi({ description: "The body sent: `{type, timestamp, data}`." }),
  })
  .openapi("WebhookDelivery");

export const DeliveriesQuery = z.object({
  cursor: z.string().max(200).optional().openapi({ description: "From the previous page's `nextCursor`." }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  status: z.enum(deliveryStatuses).optional(),
});

export const DeliveriesPage = z
  .object({
    deliveries: z.array(DeliveryView),
    nextCursor: z.string().optional().openapi({ description: "Absent on the last page." }),
  })
  .openapi("WebhookDeliveryPage");

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
