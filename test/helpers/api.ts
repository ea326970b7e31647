/** The real app on a real Node HTTP server (port chosen by the OS), with API keys for two tenants. */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll } from "vitest";
import { createApp } from "../../shared/app/create-app.js";
import { createTestMemory, uniqueId } from "./memory.js";

export async function startApi(overrides: Record<string, string> = {}) {
  const t = await createTestMemory(overrides);
  const app = createApp(t.memory);
  const server = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" });
  await new Promise<void>((resolve) => server.once("listening", () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const keys = t.memory.keys;
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
  return { ...t, base, app, keys, tenant };
}
