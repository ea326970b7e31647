/**
 * The operator console at /console: a static page and script (no build step) that read JSON from
 * /console/api/*. The page holds no data; every API call carries an operator key in a header (the
 * page keeps it in sessionStorage, never in a URL or cookie), and only operator keys are accepted.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { z } from "zod";
import { requester } from "../api/audit.js";
import { requireScope } from "../api/auth.js";
import type { AppEnv } from "../api/hono-env.js";
import { importView } from "../api/import-views.js";
import { parseOrBadRequest } from "../api/parse.js";
import { problems } from "../api/problems.js";
import { TenantId, UserId } from "../api/schemas.js";
import { adminTenant, userKey } from "../domain/identity.js";
import { describeError } from "../errors/memory-error.js";
import type { ImportManager } from "../import/import-manager.js";
import type { HierarchicalMemoryManager } from "../memory/manager.js";
import type { WebhookOverview } from "../memory/webhooks/service.js";
import type { RunProgress } from "../migration/progress.js";
import type { AuditLog } from "../util/audit.js";
import type { Logger } from "../util/logger.js";
import { consoleAssets } from "./assets.js";

/** An import as the ImportManager keeps it (tenant, format, state, source, times). */
type ImportEntry = NonNullable<Awaited<ReturnType<ImportManager["get"]>>>;

/** Every tenant's imports, as the console lists them. */
export interface ConsoleImports {
  /** The newest imports of all tenants, newest first. */
  recent(limit: number): Promise<ImportEntry[]>;
  /** An import's committed batches (its counts and refused lines). */
  batchReports: ImportManager["batchReports"];
}

/** Imports the console lists: enough to see what runs now and what ended lately. */
const importsShown = 20;

export interface ConsoleDeps {
  memory: Pick<
    HierarchicalMemoryManager,
    "getTierHealthStatus" | "testTierConnectivity" | "userFootprint" | "exportUser" | "deleteUser"
  >;
  /** The API-key check (the same one the API uses); only operator keys pass the console's own. */
  auth: MiddlewareHandler<AppEnv>;
  /** Requests per minute, for the traffic chart; absent without Redis. */
  traffic?: { read(minutes: number): Promise<unknown[]> };
  /** Migration runs with their progress; absent without Postgres. */
  migrations?: { progress(): Promise<RunProgress[]> };
  /** Every tenant's webhook endpoints and the tiers' open incidents; absent without Postgres. */
  webhooks?: { overview(): Promise<WebhookOverview> };
  /** Every tenant's bulk imports with their progress; absent without Postgres. */
  imports?: ConsoleImports;
  audit: AuditLog;
  logger: Logger;
}

/** Everything of the console lives under this path. */
export const consolePrefix = "/console";

const UserRef = z.object({ tenant: TenantId, userId: UserId });

const parsedUser = (params: unknown) => {
  const user = parseOrBadRequest(UserRef, params);
  return { ...user, key: userKey(user.tenant, user.userId) };
};

export function consoleRoutes(
  app: OpenAPIHono<AppEnv>,
  { memory, auth, traffic, migrations, webhooks, imports, audit, logger }: ConsoleDeps,
) {
  app.use(
    "/console*",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", "data:"],
        connectSrc: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
      },
    }),
  );
  app.get("/console", (c) => c.html(consoleAssets.page));
  app.get("/console/app.js", (c) => c.body(consoleAssets.script, 200, { "content-type": "text/javascript" }));
  app.get("/console/app.css", (c) => c.body(consoleAssets.styles, 200, { "content-type": "text/css" }));

  app.use("/console/api/*", auth, async (c, next) => {
    if (c.get("tenantId") !== adminTenant)
      throw problems.forbidden("the console needs an operator key (npm run keys -- create-admin <name>)");
    // Looking needs read; an action (a tier test) write; erasing a user erase.
    requireScope(c, c.req.method === "DELETE" ? "erase" : c.req.method === "POST" ? "write" : "read");
    await next();
  });
  app.get("/console/api/tiers", async (c) => c.json(await memory.getTierHealthStatus()));
  app.post("/console/api/tiers/test", async (c) => {
    audit.record({ event: "tier-test", via: "console", ...requester(c) });
    return c.json({ results: await memory.testTierConnectivity(3000) });
  });
  app.get("/console/api/traffic", async (c) => {
    const minutes = await (traffic?.read(60) ?? Promise.resolve([])).catch((error: unknown) => {
      logger.warn("console: traffic unreadable", { cause: describeError(error) });
      return [];
    });
    return c.json({ minutes, recording: Boolean(traffic) });
  });
  app.get("/console/api/migrations", async (c) => c.json({ runs: (await migrations?.progress()) ?? [] }));
  app.get("/console/api/imports", async (c) => {
    if (!imports) return c.json({ recording: false, imports: [] });
    const entries = await imports.recent(importsShown);
    const rows = await Promise.all(entries.map(async (e) => importRow(e, await imports.batchReports(e.id))));
    return c.json({ recording: true, imports: rows });
  });
  app.get("/console/api/webhooks", async (c) => {
    const overview = await webhooks?.overview();
    return c.json({
      recording: Boolean(webhooks),
      endpoints: (overview?.endpoints ?? []).map((e) => ({
        id: e.id,
        tenant: e.tenantId,
        // Scheme, host and path: a query string may hold the receiver's own token.
        target: targetOf(e.url),
        events: e.events,
        includeText: e.includeText,
        enabled: e.enabled,
        disabledReason: e.disabledReason,
        lastDelivery: {
          at: e.health.lastAttemptAt?.toISOString() ?? null,
          status: e.health.lastStatus,
          responseStatus: e.health.lastResponseStatus,
          error: e.health.lastError,
        },
        failureStreak: e.health.failureStreak,
        pending: e.pending,
      })),
      incidents: (overview?.incidents ?? []).map((i) => ({
        tier: i.tier,
        since: i.startedAt.toISOString(),
        error: i.error,
      })),
    });
  });
  app.get("/console/api/users/:tenant/:userId", async (c) => {
    const { tenant, userId, key } = parsedUser(c.req.param());
    return c.json({ tenant, userId, tiers: await memory.userFootprint(key) });
  });
  app.get("/console/api/users/:tenant/:userId/export", async (c) => {
    const { tenant, userId, key } = parsedUser(c.req.param());
    audit.record({ event: "export", via: "console", ...requester(c), tenant, userId });
    return c.json(await memory.exportUser(key));
  });
  app.delete("/console/api/users/:tenant/:userId", async (c) => {
    const { tenant, userId, key } = parsedUser(c.req.param());
    // The confirmation step: the operator typed the user id again; the page sends what was typed.
    if (c.req.header("x-confirm-erase") !== userId)
      throw problems.badRequest("erasing needs the header x-confirm-erase set to the user id");
    const { exchanges, pending } = await memory.deleteUser(key);
    audit.record({ event: "erase", via: "console", ...requester(c), tenant, userId, exchanges, pending });
    return c.json({ erased: true, exchanges, pending });
  });
}

/** An import's progress and counts, with its tenant; not its refused lines, whose reasons may quote the text. */
function importRow(entry: ImportEntry, reports: Awaited<ReturnType<ConsoleImports["batchReports"]>>) {
  const { id, format, state, source, lines, batches, validation, error, createdAt, updatedAt } = importView(
    entry,
    reports,
  );
  return {
    id,
    tenant: entry.tenantId,
    format,
    state,
    source,
    lines,
    batches,
    validationScore: validation?.score ?? null,
    error,
    createdAt,
    updatedAt,
  };
}

/** An endpoint URL without its query string or fragment. */
function targetOf(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname}`;
}
