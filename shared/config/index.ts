/**
 * Config is parsed once, at start-up, from an environment map into a frozen, typed object that
 * is passed to everything else. Nothing below this module reads process.env.
 */
import type { z } from "zod";
import { ConfigError } from "../errors/memory-error.js";
import { type LocalModelName, localModels } from "./local-models.js";
import { localModelInTheCloud, plaintextInTheCloud, requiredWhenEnabled, webhookRules } from "./rules.js";
import { type Env, envSchema } from "./schema.js";

export { ConfigError };

export interface Config {
  readonly port: number;
  /** The address `npm start` listens on. */
  readonly host: string;
  readonly logLevel: Env["LOG_LEVEL"];
  readonly http: { maxBodyBytes: number; rateLimitPerMinute: number; metricsEnabled: boolean };
  readonly redis: { enabled: boolean; url: string; token: string; db: number; keyPrefix: string };
  readonly postgres: {
    /** Off means cache-only memory: nothing durable. */
    enabled: boolean;
    url: string;
    maxConnections: number;
    /** Server-side limit (statement_timeout) on a context read, ms: Postgres cancels what the caller abandoned. */
    readTimeoutMs: number;
    /** Local only: route the Neon WebSocket through this proxy ("host:port/v2/<token>"; the token is secret). */
    wsProxy?: string;
    secureWebSocket: boolean;
  };
  readonly chroma: {
    enabled: boolean;
    url: string;
    path: string;
    /** The summary collections' name: the base name, and the model's for any embedder but hashing. */
    collection: string;
    /** HIERARCHICAL_MEMORY_CHROMADB_COLLECTION: every model's collections start with it (erasure reaches them all). */
    baseCollection: string;
    /** Summary collections: each user's summaries live in one, chosen by a hash of the user id. */
    shards: number;
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
  readonly features: { caching: boolean };
  readonly memory: {
    recentCacheSize: number;
    summaryWindow: number;
    halfLifeDays: number;
    decayFloor: number;
    tokenBudget?: number;
    storeProcessingBudgetMs: number;
    /** How long a store waits for Postgres to commit before answering 503. */
    storeTimeoutMs: number;
    /** When an erase's final pass runs after its first: once projections in flight can have finished. */
    eraseFinalPassDelayMs: number;
  };
  readonly embedding: {
    /** `hashing` (default, no model), `openai-compatible` (an HTTP endpoint) or `local` (an in-process ONNX model, 384 dimensions; `local-minilm` is `local` with all-minilm-l6-v2). */
    provider: "hashing" | "openai-compatible" | "local";
    /** The model `local` runs (default e5-small-v2). */
    localModel: LocalModelName;
    url?: string;
    apiKey?: string;
    model: string;
    /** The vectors' size (`local`: its model's, 384, whatever HIERARCHICAL_MEMORY_EMBEDDING_DIMENSIONS says). */
    dimensions: number;
    /** Where `local` reads model.onnx and tokenizer.json (npm run model:fetch puts them there). Default: .local/models/<model>-q. */
    modelDir: string;
  };
  /**
   * Who finds facts: the rules alone (default `rules`, offline), or the rules plus claims an
   * OpenAI-compatible chat model proposes (`openai-compatible`); a model that fails, is late or
   * answers malformed JSON leaves the rules' facts.
   */
  readonly factExtraction: {
    provider: "rules" | "openai-compatible";
    url?: string;
    apiKey?: string;
    /** Default gpt-4o-mini. */
    model: string;
    /** Per attempt, ms; default 5000. */
    timeoutMs: number;
    /** Further attempts after a 5xx, a 429 or a network error; default 2. */
    retries: number;
  };
  readonly migration: {
    /** The legacy Chroma to read from; default: Tier 3's. */
    legacyUrl: string;
    legacyApiKey?: string;
    /** Migrated users become `<tenant>/<legacy user_id>`; required to migrate (no default). */
    tenant?: string;
    batchSize: number;
    concurrency: number;
    /** Under this integrity score a run is rolled back. */
    minIntegrity: number;
  };
  /** Events to tenants' endpoints: how deliveries are sent, retried and kept. */
  readonly webhooks: {
    /** http:// and loopback addresses (127.0.0.0/8, ::1, localhost) as endpoints; local only. Default false. */
    allowLoopback: boolean;
    /** Longest wait for a receiver's answer, ms. Default 10000. */
    timeoutMs: number;
    /** Attempts per delivery before it is failed. Default 15. */
    maxAttempts: number;
    /** Wait before the second attempt, ms; it doubles (with jitter) up to `retryCapMs`. Default 5000. */
    retryBaseMs: number;
    /** Longest wait between attempts, ms. Default 3600000 (an hour). */
    retryCapMs: number;
    /** An endpoint failing this many attempts in a row (0: never) ... Default 50. */
    disableAfterFailures: number;
    /** ... for at least this long is disabled, ms. Default 24 h. */
    disableAfterMs: number;
    /** Delivered and failed deliveries are kept this long, ms. Default 30 days. */
    retentionMs: number;
  };
  /** Bulk imports (POST /v1/imports): limits, batches and where a file may be read from. */
  readonly imports: {
    /** Largest NDJSON body a request may carry (Lambda takes 6 MB); larger files are read from a location. */
    maxBodyBytes: number;
    /** Largest file read from a location. */
    maxObjectBytes: number;
    /** Most lines (units) an import may have. */
    maxLines: number;
    /** Imports a tenant may have running at once. */
    maxActivePerTenant: number;
    batchSize: number;
    /** Batches committed at the same time by one runner. */
    concurrency: number;
    /** Lines re-read and checked against the archive at the end; 0 skips it. */
    validateSample: number;
    /** Who runs an import: the process that took it (`in-process`) or a Step Functions execution the reconciler starts. */
    runner: "in-process" | "step-functions";
    stateMachineArn?: string;
    /** URLs an import may be read from must start with one of these (e.g. the import bucket's); none: no URL. */
    urlPrefixes: readonly string[];
    /** Directories a local file may be read from (the emulation); none: no file path. */
    localDirs: readonly string[];
  };
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
  const broken = [
    ...requiredWhenEnabled(e),
    ...plaintextInTheCloud(e),
    ...localModelInTheCloud(e),
    ...webhookRules(e),
  ];
  if (broken.length > 0) throw new ConfigError(broken);
  return deepFreeze(toConfig(e));
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const name = issue.path.join(".");
  return `${name}: ${issue.message}`;
}

function toConfig(e: Env): Config {
  return {
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    http: {
      maxBodyBytes: e.HIERARCHICAL_MEMORY_MAX_BODY_BYTES,
      rateLimitPerMinute: e.HIERARCHICAL_MEMORY_RATE_LIMIT_PER_MINUTE,
      metricsEnabled: e.HIERARCHICAL_MEMORY_METRICS_ENABLED,
    },
    redis: {
      enabled: e.HIERARCHICAL_MEMORY_REDIS_ENABLED,
      url: e.HIERARCHICAL_MEMORY_REDIS_URL ?? "",
      token: e.HIERARCHICAL_MEMORY_REDIS_PASSWORD ?? "",
      db: e.HIERARCHICAL_MEMORY_REDIS_DB,
      // Upstash has no numbered databases: the DB number namespaces our keys instead.
      keyPrefix: `hm:${e.HIERARCHICAL_MEMORY_REDIS_DB}:`,
    },
    postgres: {
      enabled: e.HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED,
      url: e.HIERARCHICAL_MEMORY_POSTGRESQL_URL ?? "",
      maxConnections: e.HIERARCHICAL_MEMORY_POSTGRESQL_MAX_CONNECTIONS,
      readTimeoutMs: e.HIERARCHICAL_MEMORY_POSTGRESQL_READ_TIMEOUT,
      wsProxy: e.HIERARCHICAL_MEMORY_POSTGRESQL_WS_PROXY,
      secureWebSocket: e.HIERARCHICAL_MEMORY_POSTGRESQL_SECURE_WEBSOCKET,
    },
    chroma: {
      enabled: e.HIERARCHICAL_MEMORY_CHROMADB_ENABLED,
      url: e.HIERARCHICAL_MEMORY_CHROMADB_URL ?? "",
      path: e.HIERARCHICAL_MEMORY_CHROMADB_PATH,
      collection: summaryCollection(e.HIERARCHICAL_MEMORY_CHROMADB_COLLECTION, embeddingOf(e)),
      baseCollection: e.HIERARCHICAL_MEMORY_CHROMADB_COLLECTION,
      shards: e.HIERARCHICAL_MEMORY_CHROMADB_SHARDS,
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
    },
    memory: {
      recentCacheSize: e.HIERARCHICAL_MEMORY_RECENT_CACHE_SIZE,
      summaryWindow: e.HIERARCHICAL_MEMORY_SUMMARY_WINDOW,
      halfLifeDays: e.HIERARCHICAL_MEMORY_TIME_DECAY_HALF_LIFE_DAYS,
      decayFloor: e.HIERARCHICAL_MEMORY_TIME_DECAY_FLOOR,
      tokenBudget: e.HIERARCHICAL_MEMORY_CONTEXT_TOKEN_BUDGET,
      storeProcessingBudgetMs: e.HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET,
      storeTimeoutMs: e.HIERARCHICAL_MEMORY_STORE_TIMEOUT,
      eraseFinalPassDelayMs: e.HIERARCHICAL_MEMORY_ERASE_FINAL_PASS_DELAY,
    },
    embedding: embeddingOf(e),
    factExtraction: {
      provider: e.HIERARCHICAL_MEMORY_FACT_EXTRACTOR,
      url: e.HIERARCHICAL_MEMORY_FACT_EXTRACTOR_URL,
      apiKey: e.HIERARCHICAL_MEMORY_FACT_EXTRACTOR_API_KEY,
      model: e.HIERARCHICAL_MEMORY_FACT_EXTRACTOR_MODEL,
      timeoutMs: e.HIERARCHICAL_MEMORY_FACT_EXTRACTOR_TIMEOUT,
      retries: e.HIERARCHICAL_MEMORY_FACT_EXTRACTOR_RETRIES,
    },
    migration: {
      legacyUrl: e.HIERARCHICAL_MEMORY_LEGACY_CHROMADB_URL ?? e.HIERARCHICAL_MEMORY_CHROMADB_URL ?? "",
      legacyApiKey: e.HIERARCHICAL_MEMORY_LEGACY_CHROMADB_API_KEY,
      tenant: e.HIERARCHICAL_MEMORY_MIGRATION_TENANT,
      batchSize: e.HIERARCHICAL_MEMORY_MIGRATION_BATCH_SIZE,
      concurrency: e.HIERARCHICAL_MEMORY_MIGRATION_CONCURRENCY,
      minIntegrity: e.HIERARCHICAL_MEMORY_MIGRATION_MIN_INTEGRITY,
    },
    webhooks: {
      allowLoopback: e.HIERARCHICAL_MEMORY_WEBHOOK_ALLOW_LOOPBACK,
      timeoutMs: e.HIERARCHICAL_MEMORY_WEBHOOK_TIMEOUT,
      maxAttempts: e.HIERARCHICAL_MEMORY_WEBHOOK_MAX_ATTEMPTS,
      retryBaseMs: e.HIERARCHICAL_MEMORY_WEBHOOK_RETRY_BASE,
      retryCapMs: e.HIERARCHICAL_MEMORY_WEBHOOK_RETRY_CAP,
      disableAfterFailures: e.HIERARCHICAL_MEMORY_WEBHOOK_DISABLE_AFTER_FAILURES,
      disableAfterMs: e.HIERARCHICAL_MEMORY_WEBHOOK_DISABLE_AFTER_HOURS * 3_600_000,
      retentionMs: e.HIERARCHICAL_MEMORY_WEBHOOK_RETENTION_DAYS * 86_400_000,
    },
    imports: {
      maxBodyBytes: e.HIERARCHICAL_MEMORY_IMPORT_MAX_BODY_BYTES,
      maxObjectBytes: e.HIERARCHICAL_MEMORY_IMPORT_MAX_OBJECT_BYTES,
      maxLines: e.HIERARCHICAL_MEMORY_IMPORT_MAX_LINES,
      maxActivePerTenant: e.HIERARCHICAL_MEMORY_IMPORT_MAX_ACTIVE,
      batchSize: e.HIERARCHICAL_MEMORY_IMPORT_BATCH_SIZE,
      concurrency: e.HIERARCHICAL_MEMORY_IMPORT_CONCURRENCY,
      validateSample: e.HIERARCHICAL_MEMORY_IMPORT_VALIDATE_SAMPLE,
      runner: e.HIERARCHICAL_MEMORY_IMPORT_RUNNER,
      stateMachineArn: e.HIERARCHICAL_MEMORY_IMPORT_STATE_MACHINE_ARN,
      urlPrefixes: list(e.HIERARCHICAL_MEMORY_IMPORT_URL_PREFIXES),
      localDirs: list(e.HIERARCHICAL_MEMORY_IMPORT_LOCAL_DIRS),
    },
  };
}

/** A comma-separated setting as its non-blank entries. */
const list = (value: string | undefined): string[] =>
  (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");

function embeddingOf(e: Env): Config["embedding"] {
  const legacyAlias = e.HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER === "local-minilm";
  const localModel = legacyAlias ? "all-minilm-l6-v2" : e.HIERARCHICAL_MEMORY_EMBEDDING_LOCAL_MODEL;
  return {
    provider:
      e.HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER === "local-minilm"
        ? "local"
        : e.HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER,
    localModel,
    url: e.HIERARCHICAL_MEMORY_EMBEDDING_URL,
    apiKey: e.HIERARCHICAL_MEMORY_EMBEDDING_API_KEY,
    model: e.HIERARCHICAL_MEMORY_EMBEDDING_MODEL,
    dimensions: e.HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER.startsWith("local")
      ? localModels[localModel].dimensions
      : e.HIERARCHICAL_MEMORY_EMBEDDING_DIMENSIONS,
    modelDir: e.HIERARCHICAL_MEMORY_EMBEDDING_MODEL_DIR ?? localModels[localModel].dir,
  };
}

/**
 * Vectors of different models never share a collection (Chroma would refuse other dimensions, or
 * worse, compare unlike spaces): each model gets its own, and `npm run rebuild -- --tiers chroma`
 * fills it from the archive. The hashing embedder keeps the bare name, as before models existed.
 */
export function summaryCollection(base: string, embedding: Config["embedding"]): string {
  if (embedding.provider === "hashing") return base;
  const model =
    embedding.provider === "local" ? embedding.localModel : `${embedding.model}-${embedding.dimensions}`;
  return `${base}_${model.toLowerCase().replace(/[^a-z0-9]+/g, "-")}`;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === "object") {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
