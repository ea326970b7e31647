/**
 * The operator console at /console: a static page and script (no build step) that read JSON from
 * /console/api/*. The page holds no data; every API call carries an operator key in a header (the
 * page keeps it in sessionStorage, never in a URL or cookie), and only operator keys are accepted.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { secureHeaders } from "hono/secure-headers";
import { z } from "zod";
import { adminTenant, tenantIdPattern } from "../auth/api-keys.js";
import { problems } from "../errors/app-error.js";
import type { AppEnv } from "../http/env.js";
import { parseOrBadRequest } from "../http/error-mapping.js";
import { apiKeyAuth, type KeyVerifier } from "../http/middleware.js";
import { UserParams } from "../http/schemas.js";
import { userKey } from "../http/tenancy.js";
import type { HierarchicalMemoryManager } from "../memory/manager.js";
import { consolePage, consoleScript, consoleStyles } from "./assets.js";
import { migrationProgress } from "./migration-progress.js";
import type { TrafficRecorder } from "./traffic.js";

export interface ConsoleDeps {
  memory: HierarchicalMemoryManager;
  keys: KeyVerifier;
  traffic?: TrafficRecorder;
  audit: (event: Record<string, unknown>) => void;
}

const UserRef = z.object({
  tenant: z.string().regex(tenantIdPattern, "must be a tenant id (a-z, 0-9 and '-')"),
  userId: UserParams.shape.userId,
});

const parsedUser = (params: unknown) => {
  const user = parseOrBadRequest(UserRef, params);
  return { ...user, key: userKey(user.tenant, user.userId) };
};

export function consoleRoutes(app: OpenAPIHono<AppEnv>, { memory, keys, traffic, audit }: ConsoleDeps) {
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
  app.get("/console", (c) => c.html(consolePage));
  app.get("/console/app.js", (c) => c.body(consoleScript, 200, { "content-type": "text/javascript" }));
  app.get("/console/app.css", (c) => c.body(consoleStyles, 200, { "content-type": "text/css" }));

  app.use("/console/api/*", apiKeyAuth(keys), async (c, next) => {
    if (c.get("tenantId") !== adminTenant)
      throw problems.forbidden("the console needs an operator key (npm run keys -- create-admin <name>)");
    await next();
  });
  app.get("/console/api/tiers", async (c) => c.json(await memory.getTierHealthStatus()));
  app.post("/console/api/tiers/test", async (c) =>
    c.json({ results: await memory.testTierConnectivity(3000) }),
  );
  app.get("/console/api/traffic", async (c) =>
    c.json({ minutes: traffic ? await traffic.read(60).catch(() => []) : [], recording: Boolean(traffic) }),
  );
  app.get("/console/api/migrations", async (c) => {
    const pool = memory.clients.postgres;
    return c.json({ runs: pool ? await migrationProgress(pool) : [] });
  });
  app.get("/console/api/users/:tenant/:userId", async (c) => {
    const { tenant, userId, key } = parsedUser(c.req.param());
    const { archive, cache, summaries, graph } = memory.stores;
    const count = <T>(work: Promise<T> | undefined) =>
      (work ?? Promise.resolve(undefined)).catch(() => undefined);
    const [exchanges, recent, summaryCount, graphCounts] = await Promise.all([
      count(archive?.exchangeCount(key)),
      count(cache?.recent(key, cache.capacity)),
      count(summaries?.countForUser(key)),
      count(graph?.counts(key)),
    ]);
    return c.json({
      tenant,
      userId,
      tiers: {
        postgres: { exchanges },
        redis: { recentMessages: recent?.length },
        chroma: { summaries: summaryCount },
        neo4j: graphCounts,
      },
    });
  });
  app.get("/console/api/users/:tenant/:userId/export", async (c) => {
    const { tenant, userId, key } = parsedUser(c.req.param());
    audit({ event: "export", via: "console", tenant, userId });
    return c.json(await memory.exportUser(key));
  });
  app.delete("/console/api/users/:tenant/:userId", async (c) => {
    const { tenant, userId, key } = parsedUser(c.req.param());
    // The confirmation step: the operator typed the user id again; the page sends what was typed.
    if (c.req.header("x-confirm-erase") !== userId)
      throw problems.badRequest("erasing needs the header x-confirm-erase set to the user id");
    const { exchanges } = await memory.deleteUser(key);
    audit({ event: "erase", via: "console", tenant, userId, exchanges });
    return c.json({ erased: true, exchanges });
  });
}
