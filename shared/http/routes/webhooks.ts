/**
 * Webhooks: a tenant's endpoints (register, list, read, change, delete, rotate the secret, send a
 * test ping) and their deliveries (list, send one again). Looking needs the read scope; changing
 * needs read and write (an endpoint receives what a read key could see). Another tenant's endpoint
 * answers 404 like an unknown one.
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { needsScope } from "../../api/auth.js";
import type { AppEnv } from "../../api/hono-env.js";
import { problems } from "../../api/problems.js";
import {
  DeliveriesPage,
  DeliveriesQuery,
  DeliveryParams,
  DeliveryView,
  EndpointCreated,
  EndpointList,
  EndpointPatchRequest,
  EndpointRequest,
  EndpointView,
  RotateRequest,
  WebhookParams,
} from "../../api/webhook-schemas.js";
import {
  decodeDeliveryCursor,
  deliveryView,
  encodeDeliveryCursor,
  endpointView,
} from "../../api/webhook-views.js";
import type { WebhookService } from "../../memory/webhooks/service.js";
import { commonErrors, json, problem, security } from "./openapi-parts.js";

const look = [needsScope("read")];
const change = [needsScope("read"), needsScope("write")];
const unknown = { 404: problem("No such webhook endpoint of this tenant") };
const unavailable = { 503: problem("Postgres, which keeps webhooks, is unavailable") };
const errors = { ...commonErrors, ...unavailable };
const base = "/v1/webhooks";
const one = `${base}/{id}`;
const body = <T>(schema: T) => ({ content: { "application/json": { schema } }, required: true });

const create = createRoute({
  middleware: change,
  method: "post",
  operationId: "createWebhook",
  path: base,
  summary: "Register a webhook endpoint; its signing secret is in this answer only",
  security,
  request: { body: body(EndpointRequest) },
  responses: {
    201: json(EndpointCreated, "The endpoint, with its secret"),
    ...errors,
    409: problem("The tenant has as many endpoints as allowed"),
    413: problem("Body too large"),
  },
});

const list = createRoute({
  middleware: look,
  method: "get",
  operationId: "listWebhooks",
  path: base,
  summary: "The tenant's webhook endpoints, with each one's latest delivery",
  security,
  responses: { 200: json(EndpointList, "The endpoints, oldest first"), ...errors },
});

const read = createRoute({
  middleware: look,
  method: "get",
  operationId: "getWebhook",
  path: one,
  summary: "One webhook endpoint, with its latest delivery",
  security,
  request: { params: WebhookParams },
  responses: { 200: json(EndpointView, "The endpoint"), ...errors, ...unknown },
});

const update = createRoute({
  middleware: change,
  method: "patch",
  operationId: "updateWebhook",
  path: one,
  summary: "Change a webhook endpoint (enable it again after it was disabled)",
  security,
  request: { params: WebhookParams, body: body(EndpointPatchRequest) },
  responses: {
    200: json(EndpointView, "The endpoint as changed"),
    ...errors,
    ...unknown,
    413: problem("Body too large"),
  },
});

const remove = createRoute({
  middleware: change,
  method: "delete",
  operationId: "deleteWebhook",
  path: one,
  summary: "Delete a webhook endpoint and its deliveries",
  security,
  request: { params: WebhookParams },
  responses: { 204: { description: "Deleted" }, ...errors, ...unknown },
});

const rotate = createRoute({
  middleware: change,
  method: "post",
  operationId: "rotateWebhookSecret",
  path: `${one}/rotate-secret`,
  summary: "Replace the signing secret; the old one also signs for a grace period",
  security,
  request: {
    params: WebhookParams,
    body: { content: { "application/json": { schema: RotateRequest } }, required: false },
  },
  responses: { 200: json(EndpointCreated, "The endpoint, with its new secret"), ...errors, ...unknown },
});

const ping = createRoute({
  middleware: change,
  method: "post",
  operationId: "pingWebhook",
  path: `${one}/ping`,
  summary: "Send a test event (webhook.ping) now and answer how the attempt went",
  security,
  request: { params: WebhookParams },
  responses: {
    200: json(DeliveryView, "The ping's delivery: delivered, or pending with the failed attempt's error"),
    ...errors,
    ...unknown,
    409: problem("The endpoint is disabled"),
  },
});

const deliveries = createRoute({
  middleware: look,
  method: "get",
  operationId: "listWebhookDeliveries",
  path: `${one}/deliveries`,
  summary: "An endpoint's deliveries, newest first, cursor-paginated",
  security,
  request: { params: WebhookParams, query: DeliveriesQuery },
  responses: { 200: json(DeliveriesPage, "A page of deliveries"), ...errors, ...unknown },
});

const retry = createRoute({
  middleware: change,
  method: "post",
  operationId: "retryWebhookDelivery",
  path: `${one}/deliveries/{deliveryId}/retry`,
  summary: "Send a delivery again now (a failed one included), from its first attempt",
  security,
  request: { params: DeliveryParams },
  responses: {
    200: json(DeliveryView, "The delivery after the attempt"),
    ...errors,
    404: problem("No such webhook endpoint or delivery of this tenant"),
  },
});

export function webhookRoutes(app: OpenAPIHono<AppEnv>, webhooks: WebhookService | undefined) {
  const service = () => {
    if (!webhooks)
      throw problems.unavailable("postgres", undefined, "webhooks are kept in Postgres, which is disabled");
    return webhooks;
  };

  app.openapi(create, async (c) => {
    const { endpoint, secret } = await service().create(c.get("tenantId"), c.req.valid("json"));
    return c.json({ ...endpointView(endpoint), secret }, 201);
  });

  app.openapi(list, async (c) =>
    c.json({ endpoints: (await service().list(c.get("tenantId"))).map(endpointView) }, 200),
  );

  app.openapi(read, async (c) =>
    c.json(endpointView(await service().get(c.get("tenantId"), c.req.valid("param").id)), 200),
  );

  app.openapi(update, async (c) => {
    const updated = await service().update(c.get("tenantId"), c.req.valid("param").id, c.req.valid("json"));
    return c.json(endpointView(updated), 200);
  });

  app.openapi(remove, async (c) => {
    await service().delete(c.get("tenantId"), c.req.valid("param").id);
    return c.body(null, 204);
  });

  app.openapi(rotate, async (c) => {
    const keep = c.req.valid("json")?.keepPreviousForSeconds;
    const { endpoint, secret } = await service().rotateSecret(
      c.get("tenantId"),
      c.req.valid("param").id,
      keep,
    );
    return c.json({ ...endpointView(endpoint), secret }, 200);
  });

  app.openapi(ping, async (c) =>
    c.json(deliveryView(await service().ping(c.get("tenantId"), c.req.valid("param").id)), 200),
  );

  app.openapi(deliveries, async (c) => {
    const { cursor, limit, status } = c.req.valid("query");
    const page = await service().deliveries(c.get("tenantId"), c.req.valid("param").id, {
      limit: limit + 1,
      status,
      before: cursor === undefined ? undefined : decodeDeliveryCursor(cursor),
    });
    const shown = page.slice(0, limit);
    const last = shown.at(-1);
    return c.json(
      {
        deliveries: shown.map(deliveryView),
        ...(page.length > limit && last ? { nextCursor: encodeDeliveryCursor(last) } : {}),
      },
      200,
    );
  });

  app.openapi(retry, async (c) => {
    const { id, deliveryId } = c.req.valid("param");
    return c.json(deliveryView(await service().redeliver(c.get("tenantId"), id, deliveryId)), 200);
  });
}
