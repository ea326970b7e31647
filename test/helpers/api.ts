/** The real app on a real Node HTTP server (port chosen by the OS), with API keys for two tenants. */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll } from "vitest";
import { ApiKeyStore } from "../../shared/auth/api-keys.js";
import { createApp } from "../../shared/http/app.js";
import { createTestManager, uniqueId } from "./memory.js";

export async function startApi(overrides: Record<string, string> = {}) {
  const memory = await createTestManager({ LOG_LEVEL: "error", ...overrides });
  const app = createApp({ config: memory.config, memory });
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const pool = memory.clients.postgres;
  if (!pool) throw new Error("the API tests need Postgres");
  const keys = new ApiKeyStore(pool);
  const tenant = async () => {
    const tenantId = uniqueId("t").toLowerCase();
    const { key, info } = await keys.create(tenantId, "test");
    const call = (path: string, init: RequestInit & { json?: unknown } = {}) =>
      fetch(`${base}${path}`, {
        ...init,
        body: init.json === undefined ? init.body : JSON.stringify(init.json),
        headers: {
          authorization: `Bearer ${key}`,
          ...(init.json === undefined ? {} : { "content-type": "application/json" }),
          ...init.headers,
        },
      });
    return { tenantId, key, keyId: info.id, call };
  };
  return { base, memory, app, keys, tenant };
}
