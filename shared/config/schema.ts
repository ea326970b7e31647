/**
 * The environment, as a zod schema keyed by variable name. Names come from the original design
 * (HIERARCHICAL_MEMORY_*), plus what the serverless clients need. Defaults here are the single
 * source for template.env and the README table.
 */
import { z } from "zod";
import { tenantIdPattern, tenantIdRule } from "../domain/identity.js";
import { defaultLocalModel, localModelNames } from "./local-models.js";

const bool = (fallback: boolean) => z.stringbool().default(fallback);
const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);
const httpUrl = z.url({ protocol: /^https?$/, error: "must be an http(s):// URL" });

export const envSchema = z.object({
  PORT: int(8787, 1, 65535),
  HOST: z.string().min(1).default("127.0.0.1"),
  LOG_LEVEL: z.enum(["debug", "info", "warn", "error"]).default("info"),
  HIERARCHICAL_MEMORY_MAX_BODY_BYTES: int(262_144, 1024, 10_485_760),
  HIERARCHICAL_MEMORY_RATE_LIMIT_PER_MINUTE: int(600, 0, 1_000_000),
  HIERARCHICAL_MEMORY_METRICS_ENABLED: bool(false),

  HIERARCHICAL_MEMORY_REDIS_ENABLED: bool(true),
  HIERARCHICAL_MEMORY_REDIS_URL: httpUrl.optional(),
  HIERARCHICAL_MEMORY_REDIS_PASSWORD: z.string().min(1).optional(),
  HIERARCHICAL_MEMORY_REDIS_DB: int(0, 0, 15),

  HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED: bool(true),
  HIERARCHICAL_MEMORY_POSTGRESQL_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: "must be a postgresql:// connection string" })
    .optional(),
  HIERARCHICAL_MEMORY_POSTGRESQL_MAX_CONNECTIONS: int(20, 1, 1000),
  HIERARCHICAL_MEMORY_POSTGRESQL_READ_TIMEOUT: int(1000, 1, 60_000),
  HIERARCHICAL_MEMORY_STORE_TIMEOUT: int(3000, 100, 60_000),
  HIERARCHICAL_MEMORY_ERASE_FINAL_PASS_DELAY: int(60_000, 0, 3_600_000),
  HIERARCHICAL_MEMORY_POSTGRESQL_WS_PROXY: z.string().min(1).optional(),
  HIERARCHICAL_MEMORY_POSTGRESQL_SECURE_WEBSOCKET: bool(true),

  HIERARCHICAL_MEMORY_CHROMADB_ENABLED: bool(true),
  HIERARCHICAL_MEMORY_CHROMADB_URL: httpUrl.optional(),
  HIERARCHICAL_MEMORY_CHROMADB_PATH: z.string().min(1).default(".local/chroma"),
  HIERARCHICAL_MEMORY_CHROMADB_COLLECTION: z
    .string()
    .regex(
      /^[a-zA-Z0-9][a-zA-Z0-9._-]{1,510}[a-zA-Z0-9]$/,
      "must be 3-512 characters of [a-zA-Z0-9._-], starting and ending with a letter or digit",
    )
    .default("conversation_summaries"),
  HIERARCHICAL_MEMORY_CHROMADB_SHARDS: int(64, 1, 4096),
  HIERARCHICAL_MEMORY_CHROMADB_TENANT: z.string().min(1).default("default_tenant"),
  HIERARCHICAL_MEMORY_CHROMADB_DATABASE: z.string().min(1).default("default_database"),
  HIERARCHICAL_MEMORY_CHROMADB_API_KEY: z.string().min(1).optional(),

  HIERARCHICAL_MEMORY_NEO4J_ENABLED: bool(true),
  HIERARCHICAL_MEMORY_NEO4J_URI: z
    .url({ protocol: /^(bolt|neo4j)(\+s|\+ssc)?$/, error: "must be a bolt:// or neo4j:// URI" })
    .optional(),
  HIERARCHICAL_MEMORY_NEO4J_USER: z.string().min(1).default("neo4j"),
  HIERARCHICAL_MEMORY_NEO4J_PASSWORD: z.string().default(""),
  HIERARCHICAL_MEMORY_NEO4J_DATABASE: z.string().min(1).optional(),

  HIERARCHICAL_MEMORY_CONTEXT_ASSEMBLY_TIMEOUT: int(100, 1, 60_000),
  HIERARCHICAL_MEMORY_CACHE_TTL: int(1800, 1, 31_536_000),
  HIERARCHICAL_MEMORY_MAX_CONTEXT_ITEMS: int(50, 1, 1000),
  HIERARCHICAL_MEMORY_ENABLE_CACHING: bool(true),

  HIERARCHICAL_MEMORY_RECENT_CACHE_SIZE: int(50, 1, 1000),
  HIERARCHICAL_MEMORY_SUMMARY_WINDOW: int(4, 1, 100),
  HIERARCHICAL_MEMORY_TIME_DECAY_HALF_LIFE_DAYS: z.coerce.number().positive().max(36_500).default(30),
  HIERARCHICAL_MEMORY_TIME_DECAY_FLOOR: z.coerce.number().min(0).max(1).default(0.9),
  HIERARCHICAL_MEMORY_CONTEXT_TOKEN_BUDGET: z.coerce.number().int().min(1).optional(),
  HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: int(0, 0, 60_000),

  HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER: z
    .enum(["hashing", "openai-compatible", "local", "local-minilm"])
    .default("hashing"),
  HIERARCHICAL_MEMORY_EMBEDDING_LOCAL_MODEL: z.enum(localModelNames).default(defaultLocalModel),
  HIERARCHICAL_MEMORY_EMBEDDING_URL: httpUrl.optional(),
  HIERARCHICAL_MEMORY_EMBEDDING_API_KEY: z.string().min(1).optional(),
  HIERARCHICAL_MEMORY_EMBEDDING_MODEL: z.string().min(1).default("text-embedding-3-small"),
  HIERARCHICAL_MEMORY_EMBEDDING_DIMENSIONS: int(512, 8, 8192),
  HIERARCHICAL_MEMORY_EMBEDDING_MODEL_DIR: z.string().min(1).optional(),
  HIERARCHICAL_MEMORY_FACT_EXTRACTOR: z.enum(["rules", "openai-compatible"]).default("rules"),
  HIERARCHICAL_MEMORY_FACT_EXTRACTOR_URL: httpUrl.optional(),
  HIERARCHICAL_MEMORY_FACT_EXTRACTOR_API_KEY: z.string().min(1).optional(),
  HIERARCHICAL_MEMORY_FACT_EXTRACTOR_MODEL: z.string().min(1).default("gpt-4o-mini"),
  HIERARCHICAL_MEMORY_FACT_EXTRACTOR_TIMEOUT: int(5000, 100, 60_000),
  HIERARCHICAL_MEMORY_FACT_EXTRACTOR_RETRIES: int(2, 0, 5),
  HIERARCHICAL_MEMORY_LEGACY_CHROMADB_URL: httpUrl.optional(),
  HIERARCHICAL_MEMORY_SECRETS_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:secretsmanager:/, "must be a Secrets Manager secret ARN")
    .optional(),
  HIERARCHICAL_MEMORY_LEGACY_CHROMADB_API_KEY: z.string().min(1).optional(),
  HIERARCHICAL_MEMORY_MIGRATION_TENANT: z
    .string()
    .regex(
      tenantIdPattern,
      `must be a tenant id (${tenantIdRule}), the tenant whose API keys will read the migrated users`,
    )
    .optional(),
  HIERARCHICAL_MEMORY_MIGRATION_BATCH_SIZE: int(500, 1, 5000),
  HIERARCHICAL_MEMORY_MIGRATION_CONCURRENCY: int(4, 1, 64),
  HIERARCHICAL_MEMORY_MIGRATION_MIN_INTEGRITY: z.coerce.number().min(0).max(1).default(0.95),

  HIERARCHICAL_MEMORY_WEBHOOK_ALLOW_LOOPBACK: bool(false),
  HIERARCHICAL_MEMORY_WEBHOOK_TIMEOUT: int(10_000, 100, 60_000),
  HIERARCHICAL_MEMORY_WEBHOOK_MAX_ATTEMPTS: int(15, 1, 100),
  HIERARCHICAL_MEMORY_WEBHOOK_RETRY_BASE: int(5_000, 1, 3_600_000),
  HIERARCHICAL_MEMORY_WEBHOOK_RETRY_CAP: int(3_600_000, 1, 86_400_000),
  HIERARCHICAL_MEMORY_WEBHOOK_DISABLE_AFTER_FAILURES: int(50, 0, 100_000),
  HIERARCHICAL_MEMORY_WEBHOOK_DISABLE_AFTER_HOURS: int(24, 0, 8_760),
  HIERARCHICAL_MEMORY_WEBHOOK_RETENTION_DAYS: int(30, 1, 3_650),

  // Under Lambda's 6 MB request payload.
  HIERARCHICAL_MEMORY_IMPORT_MAX_BODY_BYTES: int(5_242_880, 1024, 6_000_000),
  HIERARCHICAL_MEMORY_IMPORT_MAX_OBJECT_BYTES: int(268_435_456, 1024, 2_147_483_647),
  HIERARCHICAL_MEMORY_IMPORT_MAX_LINES: int(1_000_000, 1, 10_000_000),
  HIERARCHICAL_MEMORY_IMPORT_MAX_ACTIVE: int(2, 1, 100),
  HIERARCHICAL_MEMORY_IMPORT_BATCH_SIZE: int(500, 1, 5000),
  HIERARCHICAL_MEMORY_IMPORT_CONCURRENCY: int(2, 1, 16),
  HIERARCHICAL_MEMORY_IMPORT_VALIDATE_SAMPLE: int(100, 0, 100_000),
  HIERARCHICAL_MEMORY_IMPORT_RUNNER: z.enum(["in-process", "step-functions"]).default("in-process"),
  HIERARCHICAL_MEMORY_IMPORT_STATE_MACHINE_ARN: z
    .string()
    .regex(/^arn:aws[a-z-]*:states:/, "must be a Step Functions state machine ARN")
    .optional(),
  HIERARCHICAL_MEMORY_IMPORT_URL_PREFIXES: z.string().optional(),
  HIERARCHICAL_MEMORY_IMPORT_LOCAL_DIRS: z.string().optional(),
});

export type Env = z.infer<typeof envSchema>;
