/**
 * Config is parsed once, at start-up, from an environment map into a frozen, typed object that
 * is passed to everything else. Nothing below this module reads process.env.
 */
import type { z } from "zod";
import { type Env, envSchema } from "./schema.js";

export type TierName = "redis" | "postgres" | "chroma" | "neo4j";

export interface Config {
  readonly port: number;
  readonly logLevel: Env["LOG_LEVEL"];
  readonly redis: { enabled: boolean; url: string; token: string; db: number; keyPrefix: string };
  readonly postgres: {
    enabled: true;
    url: string;
    maxConnections: number;
    /** Local only: route the Neon WebSocket through this proxy ("host:port/v2"). */
    wsProxy?: string;
    secureWebSocket: boolean;
  };
  readonly chroma: {
    enabled: boolean;
    url: string;
    path: string;
    collection: string;
    tenant: string;
    database: string;
    apiKey?: string;
  };
  readonly neo4j: {
    enabled: boolean;
    uri: string;
    user: string;
    password: string;
    database?: string;
  };
  readonly contextAssemblyTimeoutMs: number;
  readonly cacheTtlSeconds: number;
  readonly maxContextItems: number;
  readonly features: { caching: boolean; batching: boolean; compression: boolean };
}

/** Thrown when the environment is invalid; its message names every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n  - ${problems.join("\n  - ")}`);
    this.name = "ConfigError";
  }
}

type Source = Record<string, string | undefined>;

/** Parses the environment; blank values count as unset so template.env can list them empty. */
export function loadConfig(source: Source = process.env): Config {
  const env = Object.fromEntries(
    Object.entries(source).filter(([, v]) => v !== undefined && v.trim() !== ""),
  );
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map(describeIssue));
  const e = parsed.data;
  const missing = requiredWhenEnabled(e);
  if (missing.length > 0) throw new ConfigError(missing);
  return deepFreeze(toConfig(e));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const name = issue.path.join(".");
  return `${name}: ${issue.message}`;
}

function requiredWhenEnabled(e: Env): string[] {
  const problems: string[] = [];
  const need = (enabled: boolean, name: keyof Env, tier: string) => {
    if (enabled && e[name] === undefined)
      problems.push(`${name}: required while the ${tier} tier is enabled`);
  };
  if (!e.HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED)
    problems.push(
      "HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED: Postgres is the source of truth and cannot be disabled",
    );
  need(true, "HIERARCHICAL_MEMORY_POSTGRESQL_URL", "Postgres");
  need(e.HIERARCHICAL_MEMORY_REDIS_ENABLED, "HIERARCHICAL_MEMORY_REDIS_URL", "Redis");
  need(e.HIERARCHICAL_MEMORY_REDIS_ENABLED, "HIERARCHICAL_MEMORY_REDIS_PASSWORD", "Redis");
  need(e.HIERARCHICAL_MEMORY_CHROMADB_ENABLED, "HIERARCHICAL_MEMORY_CHROMADB_URL", "Chroma");
  need(e.HIERARCHICAL_MEMORY_NEO4J_ENABLED, "HIERARCHICAL_MEMORY_NEO4J_URI", "Neo4j");
  return problems;
}

function toConfig(e: Env): Config {
  return {
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    redis: {
      enabled: e.HIERARCHICAL_MEMORY_REDIS_ENABLED,
      url: e.HIERARCHICAL_MEMORY_REDIS_URL ?? "",
      token: e.HIERARCHICAL_MEMORY_REDIS_PASSWORD ?? "",
      db: e.HIERARCHICAL_MEMORY_REDIS_DB,
      // Upstash has no numbered databases: the DB number namespaces our keys instead.
      keyPrefix: `hm:${e.HIERARCHICAL_MEMORY_REDIS_DB}:`,
    },
    postgres: {
      enabled: true,
      url: e.HIERARCHICAL_MEMORY_POSTGRESQL_URL ?? "",
      maxConnections: e.HIERARCHICAL_MEMORY_POSTGRESQL_MAX_CONNECTIONS,
      wsProxy: e.HIERARCHICAL_MEMORY_POSTGRESQL_WS_PROXY,
      secureWebSocket: e.HIERARCHICAL_MEMORY_POSTGRESQL_SECURE_WEBSOCKET,
    },
    chroma: {
      enabled: e.HIERARCHICAL_MEMORY_CHROMADB_ENABLED,
      url: e.HIERARCHICAL_MEMORY_CHROMADB_URL ?? "",
      path: e.HIERARCHICAL_MEMORY_CHROMADB_PATH,
      collection: e.HIERARCHICAL_MEMORY_CHROMADB_COLLECTION,
      tenant: e.HIERARCHICAL_MEMORY_CHROMADB_TENANT,
      database: e.HIERARCHICAL_MEMORY_CHROMADB_DATABASE,
      apiKey: e.HIERARCHICAL_MEMORY_CHROMADB_API_KEY,
    },
    neo4j: {
      enabled: e.HIERARCHICAL_MEMORY_NEO4J_ENABLED,
      uri: e.HIERARCHICAL_MEMORY_NEO4J_URI ?? "",
      user: e.HIERARCHICAL_MEMORY_NEO4J_USER,
      password: e.HIERARCHICAL_MEMORY_NEO4J_PASSWORD,
      database: e.HIERARCHICAL_MEMORY_NEO4J_DATABASE,
    },
    contextAssemblyTimeoutMs: e.HIERARCHICAL_MEMORY_CONTEXT_ASSEMBLY_TIMEOUT,
    cacheTtlSeconds: e.HIERARCHICAL_MEMORY_CACHE_TTL,
    maxContextItems: e.HIERARCHICAL_MEMORY_MAX_CONTEXT_ITEMS,
    features: {
      caching: e.HIERARCHICAL_MEMORY_ENABLE_CACHING,
      batching: e.HIERARCHICAL_MEMORY_ENABLE_BATCHING,
      compression: e.HIERARCHICAL_MEMORY_ENABLE_COMPRESSION,
    },
  };
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
