/**
 * Bulk imports: start one (the lines as the body, or a location to read them from), list a
 * tenant's imports, read one with its progress and refused lines, page through its refused lines.
 * Starting needs the write scope; looking, read. Another tenant's import answers 404 like an
 * unknown one.
 */
import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { needsScope } from "../../api/auth.js";
import type { AppEnv } from "../../api/hono-env.js";
import {
  ImportErrorsPage,
  ImportErrorsQuery,
  ImportList,
  ImportListQuery,
  ImportLocationRequest,
  ImportParams,
  ImportQuery,
  ImportView,
  lineMediaTypes,
} from "../../api/import-schemas.js";
import { importView } from "../../api/import-views.js";
import { parseOrBadRequest } from "../../api/parse.js";
import { problems } from "../../api/problems.js";
import type { ImportManager } from "../../import/import-manager.js";
import { lineErrorsOf } from "../../import/report.js";
import { commonErrors, json, problem, security } from "./openapi-parts.js";

export const importsPath = "/v1/imports";
const unknown = { 404: problem("No such import of this tenant") };
const unavailable = { 503: problem("Postgres, which keeps imports, is unavailable") };
const errors = { ...commonErrors, ...unavailable };
const lines = z
  .string()
  .openapi({ description: "The file: one unit (line) per line, in the format of `?format=`." });

const start = createRoute({
  middleware: [needsScope("write")],
  method: "post",
  operationId: "createImport",
  path: importsPath,
  summary: "Import history: the lines as the body (NDJSON), or a location to read a large file from",
  description:
    "Answers 202 at once; the import runs in the background (GET its Location for progress). Each line is an exchange or a note (or a transcript, or a Mem0 memory); a line that cannot be imported is listed with its number and reason and never stops the others. Importing the same lines again writes nothing twice.",
  security,
  request: {
    query: ImportQuery,
    body: {
      content: {
        ...Object.fromEntries(lineMediaTypes.map((type) => [type, { schema: lines }])),
        "application/json": { schema: ImportLocationRequest },
      },
      // Not required to zod-openapi: else it would check every body, lines too, against the JSON schema.
      required: false,
    },
  },
  responses: {
    202: json(ImportView, "The import, running; its address is in the Location header"),
    ...errors,
    409: problem("The tenant has as many imports running as allowed"),
    413: problem("Body too large (send a location instead)"),
    415: problem("Unsupported content type"),
  },
});

const list = createRoute({
  middleware: [needsScope("read")],
  method: "get",
  operationId: "listImports",
  path: importsPath,
  summary: "The tenant's imports, newest first",
  security,
  request: { query: ImportListQuery },
  responses: { 200: json(ImportList, "The imports"), ...errors },
});

const read = createRoute({
  middleware: [needsScope("read")],
  method: "get",
  operationId: "getImport",
  path: `${importsPath}/{id}`,
  summary:
    "One import: state, lines done, imported, existing and refused, the first refused lines, validation",
  security,
  request: { params: ImportParams },
  responses: { 200: json(ImportView, "The import"), ...errors, ...unknown },
});

const lineErrors = createRoute({
  middleware: [needsScope("read")],
  method: "get",
  operationId: "listImportErrors",
  path: `${importsPath}/{id}/errors`,
  summary: "An import's refused lines, in line order, with their reasons",
  security,
  request: { params: ImportParams, query: ImportErrorsQuery },
  responses: { 200: json(ImportErrorsPage, "A page of refused lines"), ...errors, ...unknown },
});

const mediaType = (header: string | undefined) => (header ?? "").split(";")[0]?.trim().toLowerCase() ?? "";

export function importRoutes(app: OpenAPIHono<AppEnv>, imports: ImportManager | undefined) {
  const service = () => {
    if (!imports)
      throw problems.unavailable("postgres", undefined, "imports are kept in Postgres, which is disabled");
    return imports;
  };
  const found = async (tenantId: string, id: string) => {
    const entry = await service().get(tenantId, id);
    if (!entry) throw problems.notFound(`no import ${id}`);
    return entry;
  };

  app.openapi(start, async (c) => {
    const type = mediaType(c.req.header("content-type"));
    const tenantId = c.get("tenantId");
    let request: Parameters<ImportManager["create"]>[1];
    if (type === "application/json") request = parseOrBadRequest(ImportLocationRequest, await c.req.json());
    else if ((lineMediaTypes as readonly string[]).includes(type))
      request = { format: c.req.valid("query").format, body: await c.req.text() };
    else
      throw problems.unsupportedMediaType(
        `send the lines as ${lineMediaTypes[0]} (or ${lineMediaTypes.slice(1).join(", ")}), or a location as application/json`,
      );
    const entry = await service().create(tenantId, request);
    const view = importView(entry, await service().batchReports(entry.id));
    return c.json(view, 202, { location: `${importsPath}/${entry.id}` });
  });

  app.openapi(list, async (c) => {
    const entries = await service().list(c.get("tenantId"), c.req.valid("query").limit);
    const views = await Promise.all(
      entries.map(async (e) => importView(e, await service().batchReports(e.id))),
    );
    return c.json({ imports: views }, 200);
  });

  app.openapi(read, async (c) => {
    const entry = await found(c.get("tenantId"), c.req.valid("param").id);
    return c.json(importView(entry, await service().batchReports(entry.id)), 200);
  });

  app.openapi(lineErrors, async (c) => {
    const entry = await found(c.get("tenantId"), c.req.valid("param").id);
    const { after, limit } = c.req.valid("query");
    const rest = lineErrorsOf((await service().batchReports(entry.id)).values()).filter(
      (e) => e.line > after,
    );
    const page = rest.slice(0, limit);
    const last = page.at(-1);
    return c.json({ errors: page, ...(rest.length > limit && last ? { nextAfter: last.line } : {}) }, 200);
  });
}
