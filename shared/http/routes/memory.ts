/** The memory routes: store, assemble context, list, export and erase one user's memory. */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { problems } from "../../errors/app-error.js";
import type { HierarchicalMemoryManager } from "../../memory/manager.js";
import type { AppEnv } from "../env.js";
import {
  ContextRequest,
  ContextResponse,
  ExportResponse,
  IdempotencyHeader,
  ListQuery,
  ListResponse,
  Problem,
  StoreRequest,
  StoreResponse,
  UserParams,
} from "../schemas.js";
import { userKey } from "../tenancy.js";
import { archivePage, assertFoundOrKnown } from "../user-memory.js";
import { exchangeView } from "../views.js";

type Memory = Pick<
  HierarchicalMemoryManager,
  "storeConversation" | "getConversationContext" | "exportUser" | "deleteUser" | "stores"
>;

const json = <T>(schema: T, description: string) => ({
  content: { "application/json": { schema } },
  description,
});
const problem = (description: string) => ({
  content: { "application/problem+json": { schema: Problem } },
  description,
});
const errors = {
  400: problem("Invalid request"),
  401: problem("Missing or invalid API key"),
  413: problem("Body too large"),
  429: problem("Rate limited"),
};
const security = [{ bearer: [] }];

const store = createRoute({
  method: "post",
  path: "/v1/users/{userId}/conversations",
  summary: "Store an exchange",
  security,
  request: {
    params: UserParams,
    headers: IdempotencyHeader,
    body: { content: { "application/json": { schema: StoreRequest } }, required: true },
  },
  responses: {
    201: json(StoreResponse, "Stored (acknowledged once committed in Postgres)"),
    200: json(StoreResponse, "A retry with an Idempotency-Key already stored: the first answer"),
    ...errors,
    503: problem("Postgres is unavailable: nothing was stored"),
  },
});

const context = createRoute({
  method: "post",
  path: "/v1/users/{userId}/context",
  summary: "Assemble the context to remember for a query",
  security,
  request: {
    params: UserParams,
    body: { content: { "application/json": { schema: ContextRequest } }, required: true },
  },
  responses: {
    200: json(ContextResponse, "Context items, degraded tiers and per-tier timings"),
    ...errors,
    404: problem("No memory of this user"),
  },
});

const list = createRoute({
  method: "get",
  path: "/v1/users/{userId}/conversations",
  summary: "The archive, newest first, cursor-paginated",
  security,
  request: { params: UserParams, query: ListQuery },
  responses: {
    200: json(ListResponse, "A page of exchanges"),
    ...errors,
    404: problem("No memory of this user"),
  },
});

const exportUser = createRoute({
  method: "get",
  path: "/v1/users/{userId}/export",
  summary: "Everything held about a user",
  security,
  request: { params: UserParams },
  responses: { 200: json(ExportResponse, "The export"), ...errors, 404: problem("Unknown user") },
});

const erase = createRoute({
  method: "delete",
  path: "/v1/users/{userId}",
  summary: "Erase a user from every tier",
  security,
  request: { params: UserParams },
  responses: { 204: { description: "Erased" }, ...errors, 404: problem("Unknown user") },
});

export function memoryRoutes(
  app: OpenAPIHono<AppEnv>,
  memory: Memory,
  audit: (event: Record<string, unknown>) => void,
) {
  const key = (c: { get(k: "tenantId"): string }, userId: string) => userKey(c.get("tenantId"), userId);

  app.openapi(store, async (c) => {
    const { userId } = c.req.valid("param");
    const body = c.req.valid("json");
    const result = await memory.storeConversation({
      userId: key(c, userId),
      userMessage: body.userMessage,
      botResponse: body.botResponse,
      speaker: body.speaker,
      metadata: body.metadata,
      timestamp: body.timestamp ? new Date(body.timestamp) : undefined,
      idempotencyKey: c.req.valid("header")["idempotency-key"],
    });
    return c.json({ ...result, userId }, result.duplicate ? 200 : 201);
  });

  app.openapi(context, async (c) => {
    const { userId } = c.req.valid("param");
    const { query, ...limits } = c.req.valid("json");
    const assembled = await memory.getConversationContext({
      userId: key(c, userId),
      currentQuery: query,
      ...limits,
    });
    const timing = Object.entries(assembled.timings)
      .map(([tier, t]) => `${tier};dur=${t.ms};desc="${t.status}"`)
      .concat(`total;dur=${assembled.totalMs}`);
    c.header("server-timing", timing.join(", "));
    c.set(
      "tierTimings",
      Object.fromEntries(Object.entries(assembled.timings).map(([tier, t]) => [tier, t.ms])),
    );
    await assertFoundOrKnown(memory.stores.archive, key(c, userId), userId, assembled);
    const { candidates: _, ...answer } = assembled;
    return c.json({ ...answer, userId }, 200);
  });

  app.openapi(list, async (c) => {
    const { userId } = c.req.valid("param");
    const { cursor, limit } = c.req.valid("query");
    return c.json(await archivePage(memory.stores.archive, key(c, userId), userId, cursor, limit), 200);
  });

  app.openapi(exportUser, async (c) => {
    const { userId } = c.req.valid("param");
    const data = await memory.exportUser(key(c, userId));
    if (data.exchanges.length === 0 && data.recentCache.length === 0)
      throw problems.notFound(`no memory of user ${userId}`);
    audit({ event: "export", tenantId: c.get("tenantId"), userId });
    return c.json(
      {
        userId,
        exportedAt: data.exportedAt,
        exchanges: data.exchanges.map(exchangeView),
        summaries: data.summaries.map(({ userId: _, ...s }) => s),
        recentCache: data.recentCache,
        graph: {
          entities: data.graph.entities.map(withoutUser),
          facts: data.graph.facts.map(withoutUser),
        },
      },
      200,
    );
  });

  app.openapi(erase, async (c) => {
    const { userId } = c.req.valid("param");
    const { exchanges } = await memory.deleteUser(key(c, userId));
    audit({ event: "erase", tenantId: c.get("tenantId"), userId, exchanges });
    if (exchanges === 0) throw problems.notFound(`no memory of user ${userId}`);
    return c.body(null, 204);
  });
}

function withoutUser(node: unknown) {
  const { userId: _, uid: __, ...rest } = node as Record<string, unknown>;
  return rest;
}
