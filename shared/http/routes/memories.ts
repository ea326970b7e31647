/**
 * One memory at a time (read, its versions, correct, delete an exchange or a note by id) and notes
 * (store, list). Another user's or tenant's id answers 404 like an unknown one.
 */
import { createRoute, type OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { needsScope } from "../../api/auth.js";
import type { AppEnv } from "../../api/hono-env.js";
import {
  type Asker,
  correct,
  forget,
  type MemoriesMemory,
  memoryOf,
  notesPage,
  toNoteInput,
  versionsOf,
} from "../../api/memories.js";
import {
  CorrectionRequest,
  CorrectionResponse,
  MemoryParams,
  NoteRequest,
  NotesQuery,
  VersionsResponse,
} from "../../api/memory-schemas.js";
import { selectionOf } from "../../api/reads.js";
import {
  EraseResponse,
  ExchangeView,
  IdempotencyHeader,
  ListResponse,
  StoreResponse,
  UserParams,
} from "../../api/schemas.js";
import type { AuditLog } from "../../util/audit.js";
import { commonErrors, json, problem, security } from "./openapi-parts.js";

const errors = { ...commonErrors, 400: problem("Invalid request (a malformed id among others)") };
const unknown = { 404: problem("No such memory of this user (also another user's or tenant's id)") };
const one = "/v1/users/{userId}/conversations/{id}";

const read = createRoute({
  middleware: [needsScope("read")] as const,
  method: "get",
  operationId: "getMemory",
  path: one,
  summary: "One exchange or note, with its version",
  security,
  request: { params: MemoryParams },
  responses: { 200: json(ExchangeView, "The exchange or note"), ...errors, ...unknown },
});

const versions = createRoute({
  middleware: [needsScope("read")] as const,
  method: "get",
  operationId: "listMemoryVersions",
  path: `${one}/versions`,
  summary: "The earlier versions of an exchange or note, with who replaced each and when",
  security,
  request: { params: MemoryParams },
  responses: { 200: json(VersionsResponse, "Earlier versions, oldest first"), ...errors, ...unknown },
});

const patch = createRoute({
  middleware: [needsScope("write")] as const,
  method: "patch",
  operationId: "correctMemory",
  path: one,
  summary: "Correct an exchange or note; every tier recomputes it",
  security,
  request: {
    params: MemoryParams,
    body: { content: { "application/json": { schema: CorrectionRequest } }, required: true },
  },
  responses: {
    200: json(CorrectionResponse, "The new version; `pending` tiers are recomputed through the outbox"),
    ...errors,
    ...unknown,
    413: problem("Body too large"),
    503: problem("Postgres is unavailable: nothing was corrected"),
  },
});

const erase = createRoute({
  middleware: [needsScope("erase")] as const,
  method: "delete",
  operationId: "deleteMemory",
  path: one,
  summary: "Erase one exchange or note from every tier",
  security,
  request: { params: MemoryParams },
  responses: {
    204: { description: "Erased from every tier" },
    202: json(EraseResponse, "Erased from the archive; `pending` tiers are erased by the worker"),
    ...errors,
    ...unknown,
    503: problem("Postgres is unavailable: nothing was erased"),
  },
});

const storeNote = createRoute({
  middleware: [needsScope("write")] as const,
  method: "post",
  operationId: "storeNote",
  path: "/v1/users/{userId}/notes",
  summary: "Store a note: a fact the bot or an operator states, with no exchange",
  security,
  request: {
    params: UserParams,
    headers: IdempotencyHeader,
    body: { content: { "application/json": { schema: NoteRequest } }, required: true },
  },
  responses: {
    201: json(StoreResponse, "Stored (acknowledged once committed in Postgres)"),
    200: json(StoreResponse, "A retry with an Idempotency-Key already stored: the first answer"),
    ...errors,
    413: problem("Body too large"),
    503: problem("Postgres is unavailable: nothing was stored"),
  },
});

const listNotes = createRoute({
  middleware: [needsScope("read")] as const,
  method: "get",
  operationId: "listNotes",
  path: "/v1/users/{userId}/notes",
  summary: "The user's notes, newest first, cursor-paginated",
  security,
  request: { params: UserParams, query: NotesQuery },
  responses: {
    200: json(ListResponse, "A page of notes"),
    ...errors,
    404: problem("No memory of this user"),
  },
});

const asker = (c: Context<AppEnv>): Asker => ({
  tenantId: c.get("tenantId"),
  keyId: c.get("keyId"),
  requestId: c.get("requestId"),
  via: "rest",
});

export function memoriesRoutes(app: OpenAPIHono<AppEnv>, memory: MemoriesMemory, audit: AuditLog) {
  app.openapi(read, async (c) => {
    const { userId, id } = c.req.valid("param");
    return c.json(await memoryOf(memory, c.get("tenantId"), userId, id), 200);
  });

  app.openapi(versions, async (c) => {
    const { userId, id } = c.req.valid("param");
    return c.json(await versionsOf(memory, c.get("tenantId"), userId, id), 200);
  });

  app.openapi(patch, async (c) => {
    const { userId, id } = c.req.valid("param");
    return c.json(await correct(memory, asker(c), userId, id, c.req.valid("json")), 200);
  });

  app.openapi(erase, async (c) => {
    const { userId, id } = c.req.valid("param");
    const { pending } = await forget(memory, audit, asker(c), userId, id);
    if (pending.length > 0) return c.json({ erased: true as const, exchanges: 1, pending }, 202);
    return c.body(null, 204);
  });

  app.openapi(storeNote, async (c) => {
    const { userId } = c.req.valid("param");
    const input = toNoteInput(
      c.get("tenantId"),
      userId,
      c.req.valid("json"),
      c.req.valid("header")["idempotency-key"],
    );
    const result = await memory.storeNote(input);
    return c.json({ ...result, userId }, result.duplicate ? 200 : 201);
  });

  app.openapi(listNotes, async (c) => {
    const { userId } = c.req.valid("param");
    const { cursor, limit, ...selection } = c.req.valid("query");
    return c.json(
      await notesPage(memory, c.get("tenantId"), userId, cursor, limit, selectionOf(selection)),
      200,
    );
  });
}
