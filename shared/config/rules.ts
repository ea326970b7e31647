/** Rules across variables, checked after each variable is valid on its own. */
import type { Env } from "./schema.js";

/** A tier's URL is required while the tier is on; some tier must be able to store. */
export function requiredWhenEnabled(e: Env): string[] {
  const problems: string[] = [];
  const need = (condition: boolean, name: keyof Env, when: string) => {
    if (condition && e[name] === undefined) problems.push(`${name}: required while ${when}`);
  };
  need(
    e.HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED,
    "HIERARCHICAL_MEMORY_POSTGRESQL_URL",
    "the Postgres tier is enabled",
  );
  if (!e.HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED && !e.HIERARCHICAL_MEMORY_REDIS_ENABLED)
    problems.push(
      "HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED: with Postgres off, Redis must be on (cache-only memory); both are off",
    );
  need(
    e.HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER === "openai-compatible",
    "HIERARCHICAL_MEMORY_EMBEDDING_URL",
    "HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER is openai-compatible",
  );
  need(
    e.HIERARCHICAL_MEMORY_FACT_EXTRACTOR === "openai-compatible",
    "HIERARCHICAL_MEMORY_FACT_EXTRACTOR_URL",
    "HIERARCHICAL_MEMORY_FACT_EXTRACTOR is openai-compatible",
  );
  need(e.HIERARCHICAL_MEMORY_REDIS_ENABLED, "HIERARCHICAL_MEMORY_REDIS_URL", "the Redis tier is enabled");
  need(
    e.HIERARCHICAL_MEMORY_REDIS_ENABLED,
    "HIERARCHICAL_MEMORY_REDIS_PASSWORD",
    "the Redis tier is enabled",
  );
  need(
    e.HIERARCHICAL_MEMORY_CHROMADB_ENABLED,
    "HIERARCHICAL_MEMORY_CHROMADB_URL",
    "the Chroma tier is enabled",
  );
  need(e.HIERARCHICAL_MEMORY_NEO4J_ENABLED, "HIERARCHICAL_MEMORY_NEO4J_URI", "the Neo4j tier is enabled");
  return problems;
}

/**
 * In the cloud (the secret ARN is set) every store connection must be encrypted: memory text and
 * keys never cross a network in the clear. Locally the emulation's plain URLs are fine.
 */
export function plaintextInTheCloud(e: Env): string[] {
  if (!e.HIERARCHICAL_MEMORY_SECRETS_ARN) return [];
  const problems: string[] = [];
  const https = (name: keyof Env, enabled: boolean) => {
    const value = e[name];
    if (enabled && typeof value === "string" && !value.startsWith("https://"))
      problems.push(`${name}: must be an https:// URL in the cloud (the secret ARN is set)`);
  };
  https("HIERARCHICAL_MEMORY_REDIS_URL", e.HIERARCHICAL_MEMORY_REDIS_ENABLED);
  https("HIERARCHICAL_MEMORY_CHROMADB_URL", e.HIERARCHICAL_MEMORY_CHROMADB_ENABLED);
  https("HIERARCHICAL_MEMORY_LEGACY_CHROMADB_URL", true);
  https(
    "HIERARCHICAL_MEMORY_EMBEDDING_URL",
    e.HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER === "openai-compatible",
  );
  https(
    "HIERARCHICAL_MEMORY_FACT_EXTRACTOR_URL",
    e.HIERARCHICAL_MEMORY_FACT_EXTRACTOR === "openai-compatible",
  );
  const neo4j = e.HIERARCHICAL_MEMORY_NEO4J_URI;
  if (
    e.HIERARCHICAL_MEMORY_NEO4J_ENABLED &&
    neo4j &&
    !/^(neo4j\+s|neo4j\+ssc|bolt\+s|bolt\+ssc):\/\//.test(neo4j)
  )
    problems.push(
      "HIERARCHICAL_MEMORY_NEO4J_URI: must be an encrypted scheme (neo4j+s://, bolt+s://) in the cloud (the secret ARN is set)",
    );
  if (e.HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED && !e.HIERARCHICAL_MEMORY_POSTGRESQL_SECURE_WEBSOCKET)
    problems.push(
      "HIERARCHICAL_MEMORY_POSTGRESQL_SECURE_WEBSOCKET: must be true in the cloud (the secret ARN is set)",
    );
  return problems;
}

/**
 * The Lambda bundle leaves the ONNX runtime and the model out (onnxruntime-node is external), so in the
 * cloud (the secret ARN is set) the local provider is refused at startup rather than failing at the first store.
 */
export function localModelInTheCloud(e: Env): string[] {
  const provider = e.HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER;
  return e.HIERARCHICAL_MEMORY_SECRETS_ARN && (provider === "local" || provider === "local-minilm")
    ? [
        `HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER: ${provider} is not deployed to Lambda (the bundle has no model or ONNX runtime); use openai-compatible or hashing in the cloud`,
      ]
    : [];
}

/**
 * Webhook endpoints: loopback targets are for the local emulation (a receiver on this machine), never
 * the cloud (the secret ARN is set); the longest wait between attempts is at least the first.
 */
export function webhookRules(e: Env): string[] {
  const problems: string[] = [];
  if (e.HIERARCHICAL_MEMORY_SECRETS_ARN && e.HIERARCHICAL_MEMORY_WEBHOOK_ALLOW_LOOPBACK)
    problems.push(
      "HIERARCHICAL_MEMORY_WEBHOOK_ALLOW_LOOPBACK: must be false in the cloud (the secret ARN is set): endpoints there are https:// on public addresses",
    );
  if (e.HIERARCHICAL_MEMORY_WEBHOOK_RETRY_CAP < e.HIERARCHICAL_MEMORY_WEBHOOK_RETRY_BASE)
    problems.push(
      "HIERARCHICAL_MEMORY_WEBHOOK_RETRY_CAP: must be at least HIERARCHICAL_MEMORY_WEBHOOK_RETRY_BASE",
    );
  return problems;
}
