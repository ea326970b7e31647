/**
 * Request and response schemas of webhooks (endpoints, deliveries): the validation at the edge and
 * the OpenAPI document. How they are shown: ./webhook-views.ts.
 */
import { z } from "@hono/zod-openapi";
import {
  deliveredEventTypes,
  deliveryStatuses,
  webhookEventMeanings,
  webhookEventTypes,
} from "../domain/webhooks.js";

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
