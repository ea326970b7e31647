/**
 * The real app on in-memory stores (test/in-memory), called with app.request: no services, no
 * server, fast. The same shape as startApi, so a test reads the same on either.
 */
import { createApp } from "../../shared/app/create-app.js";
import { loadConfig } from "../../shared/config/index.js";
import type { WebhookTransport } from "../../shared/memory/webhooks/transport.js";
import { createMemory } from "../../shared/runtime/create-memory.js";
import type { NewKeyOptions } from "../../shared/tiers/key-store.js";
import type { AuditEvent } from "../../shared/util/audit.js";
import type { Logger } from "../../shared/util/logger.js";
import { createInMemoryStores, type InMemoryStores } from "../in-memory/index.js";
import { uniqueId } from "./ids.js";

/** Settings that name every tier; nothing connects to these addresses. */
export const unreachableTiers = {
  HIERARCHICAL_MEMORY_REDIS_URL: "http://redis.invalid",
  HIERARCHICAL_MEMORY_REDIS_PASSWORD: "unused",
  HIERARCHICAL_MEMORY_POSTGRESQL_URL: "postgresql://postgres.invalid/unused",
  HIERARCHICAL_MEMORY_CHROMADB_URL: "http://chroma.invalid",
  HIERARCHICAL_MEMORY_NEO4J_URI: "bolt://neo4j.invalid",
  HIERARCHICAL_MEMORY_CONTEXT_ASSEMBLY_TIMEOUT: "2000",
  LOG_LEVEL: "error",
};

/** What the memory logged, for assertions. */
export function recordingLogger() {
  const lines: { level: string; message: string; [k: string]: unknown }[] = [];
  const at =
    (level: string) =>
    (message: string, ...attributes: Record<string, unknown>[]) =>
      lines.push({ level, message, ...Object.assign({}, ...attributes) });
  const logger: Logger = { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
  return { logger, lines };
}

export type CallInit = RequestInit & { json?: unknown };

export interface InMemoryApiOptions {
  /** Changes the stores before the memory is built (a failing probe, a store that throws). */
  adapt?: (stores: InMemoryStores) => InMemoryStores;
  /** How webhook attempts are sent (default: real HTTP). */
  webhookTransport?: WebhookTransport;
}

export function inMemoryApi(overrides: Record<string, string> = {}, options: InMemoryApiOptions = {}) {
  const config = loadConfig({ ...unreachableTiers, ...overrides });
  const built = createInMemoryStores({
    recentCacheSize: config.memory.recentCacheSize,
    rateLimitPerMinute: config.http.rateLimitPerMinute,
    tiers: {
      redis: config.redis.enabled,
      postgres: config.postgres.enabled,
      chroma: config.chroma.enabled,
      neo4j: config.neo4j.enabled,
    },
  });
  const stores = options.adapt ? options.adapt(built) : built;
  const { logger, lines: logs } = recordingLogger();
  const audits: AuditEvent[] = [];
  const memory = createMemory(config, {
    stores,
    logger,
    audit: { record: (e) => audits.push(e) },
    webhookTransport: options.webhookTransport,
  });
  const app = createApp(memory);
  const request = (path: string, init: CallInit = {}, headers: Record<string, string> = {}) =>
    app.request(path, {
      ...init,
      body: init.json === undefined ? init.body : JSON.stringify(init.json),
      headers: {
        ...headers,
        ...(init.json === undefined ? {} : { "content-type": "application/json" }),
        ...(init.headers as Record<string, string> | undefined),
      },
    });
  /** A tenant with a key (of all scopes, never expiring, unless `keyOptions` say otherwise). */
  const tenant = async (keyOptions?: NewKeyOptions, tenantId = uniqueId("t").toLowerCase()) => {
    const { key, info } = await memory.keys.create(tenantId, "test", keyOptions);
    const call = (path: string, init: CallInit = {}) =>
      request(path, init, { authorization: `Bearer ${key}` });
    return { tenantId, key, keyId: info.id, call };
  };
  return {
    config,
    stores,
    memory,
    manager: memory.manager,
    app,
    keys: memory.keys,
    logs,
    audits,
    request,
    tenant,
  };
}
