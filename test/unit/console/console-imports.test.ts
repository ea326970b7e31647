/**
 * The console's imports listing: every tenant's imports, newest first, with progress and counts but
 * never a refused line's reason (it may quote the tenant's text); only operator keys read it. The
 * listing across tenants is a dependency of the console routes (ConsoleImports.recent); here it is
 * the ImportManager's own listing gathered over the tenants this test made.
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { describe, expect, it } from "vitest";
import { keyAuth } from "../../../shared/api/auth.js";
import type { AppEnv } from "../../../shared/api/hono-env.js";
import { toAppError } from "../../../shared/api/problems.js";
import { type ConsoleImports, consoleRoutes } from "../../../shared/console/routes.js";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";

const api = inMemoryApi();
const manager = api.memory.imports;
if (!manager) throw new Error("imports need Postgres");
const acme = await api.tenant();
const globex = await api.tenant();
const { key: operatorKey } = await api.keys.createAdmin("console imports");

const allTenants: ConsoleImports = {
  recent: async (limit) =>
    (await Promise.all([acme, globex].map((t) => manager.list(t.tenantId, limit))))
      .flat()
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
      .slice(0, limit),
  batchReports: (id) => manager.batchReports(id),
};

function consoleApp(imports?: ConsoleImports) {
  const app = new OpenAPIHono<AppEnv>();
  consoleRoutes(app, {
    memory: api.manager,
    auth: keyAuth(api.keys).required,
    imports,
    audit: { record: () => undefined },
    logger: { debug() {}, info() {}, warn() {}, error() {} },
  });
  app.onError((error, c) => {
    const { status } = toAppError(error);
    return c.json({ status }, status as ContentfulStatusCode);
  });
  return (path: string, key = operatorKey) =>
    app.request(path, { headers: { authorization: `Bearer ${key}` } });
}

interface Row {
  id: string;
  tenant: string;
  format: string;
  state: string;
  lines: Record<string, number | null>;
  batches: { total: number | null; done: number };
  [k: string]: unknown;
}

async function importFor(tenant: typeof acme, lines: unknown[], format = "ndjson") {
  const body = lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n");
  const r = await tenant.call(`/v1/imports?format=${format}`, {
    method: "POST",
    body,
    headers: { "content-type": "application/x-ndjson" },
  });
  expect(r.status, await r.clone().text()).toBe(202);
  await manager?.settled();
  return ((await r.json()) as { id: string }).id;
}

describe("the console's imports", () => {
  it("lists every tenant's imports, newest first, with lines done of total and the counts", async () => {
    const user = uniqueId("console-imp");
    const first = await importFor(acme, [
      { userId: user, userMessage: "I adopted a cat named Bailey", botResponse: "Lovely!" },
      "{not json: my secret address",
      { userId: user, kind: "note", text: "Allergic to peanuts" },
    ]);
    const second = await importFor(globex, [{ id: "m1", memory: "Lives in Porto", user_id: user }], "mem0");
    const get = consoleApp(allTenants);
    const res = await get("/console/api/imports");
    expect(res.status).toBe(200);
    const text = await res.text();
    const { recording, imports } = JSON.parse(text) as { recording: boolean; imports: Row[] };
    expect(recording).toBe(true);
    expect(imports.map((i) => i.id)).toEqual([second, first]);
    expect(imports[1]).toMatchObject({
      tenant: acme.tenantId,
      format: "ndjson",
      state: "completed",
      source: "body",
      lines: { total: 3, done: 3, imported: 2, existing: 0, refused: 1 },
      batches: { done: 1 },
      error: null,
    });
    expect(imports[0]).toMatchObject({ tenant: globex.tenantId, format: "mem0", lines: { imported: 1 } });
    expect(typeof imports[0]?.updatedAt).toBe("string");
    // Counts, not the refused lines: their reasons may quote what the tenant sent.
    expect(text).not.toContain("secret address");
    expect(imports[1]).not.toHaveProperty("errors");
  });

  it("says when imports are not recorded (no Postgres), and opens to operator keys only", async () => {
    const get = consoleApp();
    expect(await (await get("/console/api/imports")).json()).toEqual({ recording: false, imports: [] });
    expect((await consoleApp(allTenants)("/console/api/imports", acme.key)).status).toBe(403);
  });
});
