/** The memory routes: store, assemble context, list, export and erase one user's memory. */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import { requester } from "../../api/audit.js";
import { needsScope } from "../../api/auth.js";
import type { AppEnv } from "../../api/hono-env.js";
import { toContextRequest, toExchangeInput } from "../../api/inputs.js";
import { problems } from "../../api/problems.js";
import { archivePage, contextFor, selectionOf, sessionsOf } from "../../api/reads.js";
import {
  ContextRequest,
  ContextResponse,
  EraseResponse,
  ExportResponse,
  IdempotencyHeader,
  ListQuery,
  ListResponse,
  SessionsQuery,
  SessionsResponse,
  StoreRequest,
  StoreResponse,
  UserParams,
} from "../../api/schemas.js";
import { exportView } from "../../api/views.js";
import { userKey } from "../../domain/identity.js";
import type { HierarchicalMemoryManager } from "../../memory/manager.js";
import type { AuditLog } from "../../util/audit.js";
import { commonErrors, json, problem, security } from "./openapi-parts.js";

export type MemoryRoutesMemory = Pick<
  HierarchicalMemoryManager,
  | "storeConversation"
  | "getConversationContext"
  | "assertKnownUser"
  | "listConversations"
  | "exportUser"
  | "deleteUser"
  | "listSessions"
>;

const errors = { ...commonErrors, 413: problem("Body too large") };

const store = createRoute({
  middleware: [needsScope("write")] as const,
  method: "post",
  operationId: "storeConversation",
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

/** The context route's pattern, as Hono reports it for a matched request. */
export const contextRoute = "/v1/users/:userId/context";

const context = createRoute({
  middleware: [needsScope("read")] as const,
  method: "post",
  operationId: "getConversationContext",
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
  middleware: [needsScope("read")] as const,
  method: "get",
  operationId: "listConversations",
  path: "/v1/users/{userId}/conversations",
  summary: "The archive, newest first, cursor-paginated; optionally one session's or agent's",
  security,
  request: { params: UserParams, query: ListQuery },
  responses: {
    200: json(ListResponse, "A page of exchanges"),
    ...errors,
    404: problem("No memory of this user"),
  },
});

const sessions = createRoute({
  middleware: [needsScope("read")] as const,
  method: "get",
  operationId: "listSessions",
  path: "/v1/users/{userId}/sessions",
  summary: "The user's sessions, most recently active first",
  security,
  request: { params: UserParams, query: SessionsQuery },
  responses: {
    200: json(SessionsResponse, "Each session's id, first and last time, exchange count and agents"),
    ...errors,
    404: problem("No memory of this user"),
  },
});

const exportUser = createRoute({
  middleware: [needsScope("read")] as const,
  method: "get",
  operationId: "exportUser",
  path: "/v1/users/{userId}/export",
  summary: "Everything held about a user",
  security,
  request: { params: UserParams },
  responses: { 200: json(ExportResponse, "The export"), ...errors, 404: problem("Unknown user") },
});

const erase = createRoute({
  middleware: [needsScope("erase")] as const,
  method: "delete",
  operationId: "deleteUser",
  path: "/v1/users/{userId}",
  summary: "Erase a user from every tier",
  security,
  request: { params: UserParams },
  responses: {
    204: { description: "Erased from every tier" },
    202: json(
      EraseResponse,
      "Erased from the archive; `pending` tiers are erased by the worker, which retries until they are clean",
    ),
    ...errors,
    404: problem("Unknown user"),
    503: problem("Postgres is unavailable: nothing was erased"),
  },
});

export function memoryRoutes(app: OpenAPIHono<AppEnv>, memory: MemoryRoutesMemory, audit: AuditLog) {
  app.openapi(store, async (c) => {
    const { userId } = c.req.valid("param");
    const input = toExchangeInput(
      c.get("tenantId"),
      userId,
      c.req.valid("json"),
      c.req.valid("header")["idempotency-key"],
    );
    const result = await memory.storeConversation(input);
    return c.json({ ...result, userId }, result.duplicate ? 200 : 201);
  });

  app.openapi(context, async (c) => {
    const { userId } = c.req.valid("param");
    const assembled = await contextFor(
      memory,
      toContextRequest(c.get("tenantId"), userId, c.req.valid("json")),
    );
    const timing = Object.entries(assembled.timings)
      .map(([tier, t]) => `${tier};dur=${t.ms};desc="${t.status}"`)
      .concat(`total;dur=${assembled.totalMs}`);
    c.header("server-timing", timing.join(", "));
    c.set(
      "tierTimings",
      Object.fromEntries(Object.entries(assembled.timings).map(([tier, t]) => [tier, t.ms])),
    );
    const { candidates: _, ...answer } = assembled;
    return c.json({ ...answer, userId }, 200);
  });

  app.openapi(list, async (c) => {
    const { userId } = c.req.valid("param");
    const { cursor, limit, ...scope } = c.req.valid("query");
    return c.json(
      await archivePage(memory, c.get("tenantId"), userId, cursor, limit, selectionOf(scope)),
      200,
    );
  });

  app.openapi(sessions, async (c) => {
    const { userId } = c.req.valid("param");
    return c.json(await sessionsOf(memory, c.get("tenantId"), userId, c.req.valid("query").limit), 200);
  });

  app.openapi(exportUser, async (c) => {
    const { userId } = c.req.valid("param");
    const data = await memory.exportUser(userKey(c.get("tenantId"), userId));
    if (data.exchanges.length === 0 && data.recentCache.length === 0)
      throw problems.notFound(`no memory of user ${userId}`);
    audit.record({ event: "export", via: "rest", ...requester(c), userId });
    return c.json(exportView(userId, data), 200);
  });

  app.openapi(erase, async (c) => {
    const { userId } = c.req.valid("param");
    const { exchanges, pending } = await memory.deleteUser(userKey(c.get("tenantId"), userId));
    // Recorded once the archive has committed the erase: from here it is finished, whatever fails.
    audit.record({ event: "erase", via: "rest", ...requester(c), userId, exchanges, pending });
    if (exchanges === 0 && pending.length === 0) throw problems.notFound(`no memory of user ${userId}`);
    if (pending.length > 0) return c.json({ erased: true as const, exchanges, pending }, 202);
    return c.body(null, 204);
  });
}
