import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../shared/config/index.js";

const minimal = {
  HIERARCHICAL_MEMORY_REDIS_URL: "https://example-redis.upstash.io",
  HIERARCHICAL_MEMORY_REDIS_PASSWORD: "token",
  HIERARCHICAL_MEMORY_POSTGRESQL_URL: "postgresql://user:pw@db.example.com/memory",
  HIERARCHICAL_MEMORY_CHROMADB_URL: "https://chroma.example.com",
  HIERARCHICAL_MEMORY_NEO4J_URI: "neo4j+s://graph.example.com",
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("expected a ConfigError");
}

describe("loadConfig", () => {
  it("applies the design's defaults", () => {
    const config = loadConfig(minimal);
    expect(config.contextAssemblyTimeoutMs).toBe(100);
    expect(config.cacheTtlSeconds).toBe(1800);
    expect(config.maxContextItems).toBe(50);
    expect(config.port).toBe(8787);
    expect(config.postgres.maxConnections).toBe(20);
    expect(config.chroma.collection).toBe("conversation_summaries");
    expect(config.features).toEqual({ caching: true });
    expect(config.redis.keyPrefix).toBe("hm:0:");
    expect(config.chroma.url).toBe("https://chroma.example.com");
  });

  it("returns a deeply frozen object", () => {
    const config = loadConfig(minimal);
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.redis)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
  });

  it("names each invalid variable and says what is wrong", () => {
    const problems = problemsOf({
      ...minimal,
      HIERARCHICAL_MEMORY_CACHE_TTL: "soon",
      HIERARCHICAL_MEMORY_REDIS_ENABLED: "perhaps",
      HIERARCHICAL_MEMORY_NEO4J_URI: "http://graph",
    });
    expect(problems).toHaveLength(3);
    expect(problems.find((p) => p.startsWith("HIERARCHICAL_MEMORY_CACHE_TTL:"))).toMatch(/number/i);
    expect(problems.find((p) => p.startsWith("HIERARCHICAL_MEMORY_REDIS_ENABLED:"))).toBeDefined();
    expect(problems.find((p) => p.startsWith("HIERARCHICAL_MEMORY_NEO4J_URI:"))).toMatch(
      /bolt:\/\/ or neo4j:\/\//,
    );
  });

  it("rejects a redis:// URL where the REST client needs http(s)", () => {
    const problems = problemsOf({ ...minimal, HIERARCHICAL_MEMORY_REDIS_URL: "redis://localhost:6379" });
    expect(problems).toEqual(["HIERARCHICAL_MEMORY_REDIS_URL: must be an http(s):// URL"]);
  });

  it("rejects out-of-range numbers", () => {
    const problems = problemsOf({ ...minimal, HIERARCHICAL_MEMORY_CONTEXT_ASSEMBLY_TIMEOUT: "0" });
    expect(problems[0]).toMatch(/^HIERARCHICAL_MEMORY_CONTEXT_ASSEMBLY_TIMEOUT: .*>=\s*1/);
  });

  it("requires a tier's URL only while that tier is enabled", () => {
    const { HIERARCHICAL_MEMORY_NEO4J_URI: _, ...withoutNeo4j } = minimal;
    expect(problemsOf(withoutNeo4j)).toEqual([
      "HIERARCHICAL_MEMORY_NEO4J_URI: required while the Neo4j tier is enabled",
    ]);
    const config = loadConfig({ ...withoutNeo4j, HIERARCHICAL_MEMORY_NEO4J_ENABLED: "false" });
    expect(config.neo4j.enabled).toBe(false);
  });

  it("allows a cache-only memory without Postgres, but not without both Postgres and Redis", () => {
    const { HIERARCHICAL_MEMORY_POSTGRESQL_URL: _, ...withoutPostgres } = minimal;
    const config = loadConfig({ ...withoutPostgres, HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED: "false" });
    expect(config.postgres.enabled).toBe(false);
    const problems = problemsOf({
      ...withoutPostgres,
      HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED: "false",
      HIERARCHICAL_MEMORY_REDIS_ENABLED: "false",
    });
    expect(problems).toEqual([
      "HIERARCHICAL_MEMORY_POSTGRESQL_ENABLED: with Postgres off, Redis must be on (cache-only memory); both are off",
    ]);
  });

  it("requires an endpoint for the openai-compatible embedder", () => {
    expect(problemsOf({ ...minimal, HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER: "openai-compatible" })).toEqual([
      "HIERARCHICAL_MEMORY_EMBEDDING_URL: required while HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER is openai-compatible",
    ]);
  });

  it("treats blank values as unset, so template.env can list them empty", () => {
    const config = loadConfig({ ...minimal, HIERARCHICAL_MEMORY_CACHE_TTL: "  ", PORT: "" });
    expect(config.cacheTtlSeconds).toBe(1800);
    expect(config.port).toBe(8787);
  });

  it("rejects a Chroma collection name Chroma would refuse", () => {
    const problems = problemsOf({ ...minimal, HIERARCHICAL_MEMORY_CHROMADB_COLLECTION: "ab" });
    expect(problems[0]).toMatch(/^HIERARCHICAL_MEMORY_CHROMADB_COLLECTION: must be 3-512/);
  });
});

describe("loadConfig: trust (issue 17)", () => {
  const cloud = {
    ...minimal,
    HIERARCHICAL_MEMORY_SECRETS_ARN: "arn:aws:secretsmanager:eu-west-1:1:secret:m",
  };

  it("validates the migration tenant as a tenant id and gives it no default", () => {
    expect(loadConfig(minimal).migration.tenant).toBeUndefined();
    for (const tenant of ["_admin", "Acme", "a.b", "x_y"])
      expect(problemsOf({ ...minimal, HIERARCHICAL_MEMORY_MIGRATION_TENANT: tenant })).toEqual([
        expect.stringMatching(/^HIERARCHICAL_MEMORY_MIGRATION_TENANT: must be a tenant id/),
      ]);
    expect(
      loadConfig({ ...minimal, HIERARCHICAL_MEMORY_MIGRATION_TENANT: "legacy-bot" }).migration.tenant,
    ).toBe("legacy-bot");
  });

  it("refuses plaintext store connections in the cloud (where the secret ARN is set)", () => {
    expect(
      problemsOf({
        ...cloud,
        HIERARCHICAL_MEMORY_REDIS_URL: "http://redis.example.com",
        HIERARCHICAL_MEMORY_CHROMADB_URL: "http://chroma.example.com",
        HIERARCHICAL_MEMORY_NEO4J_URI: "bolt://graph.example.com",
        HIERARCHICAL_MEMORY_POSTGRESQL_SECURE_WEBSOCKET: "false",
      }).sort(),
    ).toEqual([
      expect.stringMatching(/^HIERARCHICAL_MEMORY_CHROMADB_URL: .*https/),
      expect.stringMatching(/^HIERARCHICAL_MEMORY_NEO4J_URI: .*encrypted/),
      expect.stringMatching(/^HIERARCHICAL_MEMORY_POSTGRESQL_SECURE_WEBSOCKET: /),
      expect.stringMatching(/^HIERARCHICAL_MEMORY_REDIS_URL: .*https/),
    ]);
    expect(() => loadConfig(cloud)).not.toThrow();
    // Locally (no secret ARN) the emulation's plain URLs are fine.
    expect(() =>
      loadConfig({ ...minimal, HIERARCHICAL_MEMORY_NEO4J_URI: "bolt://127.0.0.1:7687" }),
    ).not.toThrow();
  });

  it("refuses the local embedder in the cloud, whose bundle has no model", () => {
    for (const provider of ["local", "local-minilm"])
      expect(problemsOf({ ...cloud, HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER: provider })).toEqual([
        expect.stringMatching(
          new RegExp(`^HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER: ${provider} is not deployed to Lambda`),
        ),
      ]);
    const local = loadConfig({ ...minimal, HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER: "local" });
    expect(local.embedding).toMatchObject({
      provider: "local",
      localModel: "e5-small-v2",
      modelDir: ".local/models/e5-small-v2-q",
    });
    const older = loadConfig({ ...minimal, HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER: "local-minilm" });
    expect(older.embedding).toMatchObject({
      provider: "local",
      localModel: "all-minilm-l6-v2",
      modelDir: ".local/models/all-minilm-l6-v2-q",
    });
  });

  it("keeps webhooks off loopback in the cloud, and their backoff within its cap", () => {
    expect(loadConfig(minimal).webhooks).toEqual({
      allowLoopback: false,
      timeoutMs: 10_000,
      maxAttempts: 15,
      retryBaseMs: 5_000,
      retryCapMs: 3_600_000,
      disableAfterFailures: 50,
      disableAfterMs: 24 * 3_600_000,
      retentionMs: 30 * 86_400_000,
    });
    expect(
      loadConfig({ ...minimal, HIERARCHICAL_MEMORY_WEBHOOK_ALLOW_LOOPBACK: "true" }).webhooks.allowLoopback,
    ).toBe(true);
    expect(problemsOf({ ...cloud, HIERARCHICAL_MEMORY_WEBHOOK_ALLOW_LOOPBACK: "true" })).toEqual([
      expect.stringMatching(/^HIERARCHICAL_MEMORY_WEBHOOK_ALLOW_LOOPBACK: must be false in the cloud/),
    ]);
    expect(
      problemsOf({
        ...minimal,
        HIERARCHICAL_MEMORY_WEBHOOK_RETRY_BASE: "10000",
        HIERARCHICAL_MEMORY_WEBHOOK_RETRY_CAP: "5000",
      }),
    ).toEqual([expect.stringMatching(/^HIERARCHICAL_MEMORY_WEBHOOK_RETRY_CAP: must be at least/)]);
  });

  it("serves on 127.0.0.1 unless told otherwise", () => {
    expect(loadConfig(minimal).host).toBe("127.0.0.1");
    expect(loadConfig({ ...minimal, HOST: "0.0.0.0" }).host).toBe("0.0.0.0");
  });
});
