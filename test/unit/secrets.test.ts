import { describe, expect, it } from "vitest";
import { loadConfigWithSecrets } from "../../shared/config/secrets.js";

const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:memory-AbCdEf";
const twoTiers = {
  HIERARCHICAL_MEMORY_CHROMADB_ENABLED: "false",
  HIERARCHICAL_MEMORY_NEO4J_ENABLED: "false",
};

describe("loadConfigWithSecrets", () => {
  it("fills the URLs, tokens and passwords from the secret named in the environment", async () => {
    const asked: string[] = [];
    const config = await loadConfigWithSecrets(
      { ...twoTiers, HIERARCHICAL_MEMORY_SECRETS_ARN: arn, HIERARCHICAL_MEMORY_CACHE_TTL: "60" },
      async (a) => {
        asked.push(a);
        return {
          HIERARCHICAL_MEMORY_REDIS_URL: "https://eu1-x.upstash.io",
          HIERARCHICAL_MEMORY_REDIS_PASSWORD: "tok",
          HIERARCHICAL_MEMORY_POSTGRESQL_URL: "postgres://u:p@ep-x.neon.tech/db",
        };
      },
    );
    expect(asked).toEqual([arn]);
    expect(config.redis).toMatchObject({ url: "https://eu1-x.upstash.io", token: "tok" });
    expect(config.postgres.url).toBe("postgres://u:p@ep-x.neon.tech/db");
    expect(config.cacheTtlSeconds).toBe(60);
  });

  it("reads no secret when no ARN is set", async () => {
    const config = await loadConfigWithSecrets(
      {
        ...twoTiers,
        HIERARCHICAL_MEMORY_REDIS_URL: "http://127.0.0.1:1",
        HIERARCHICAL_MEMORY_REDIS_PASSWORD: "local",
        HIERARCHICAL_MEMORY_POSTGRESQL_URL: "postgres://127.0.0.1/db",
        HIERARCHICAL_MEMORY_CACHE_TTL: "61",
      },
      async () => {
        throw new Error("must not be called");
      },
    );
    expect(config.cacheTtlSeconds).toBe(61);
  });

  it("refuses a secret that is not a JSON object of secret settings, naming the problem", async () => {
    const env = { HIERARCHICAL_MEMORY_SECRETS_ARN: arn };
    await expect(loadConfigWithSecrets(env, async () => "text")).rejects.toThrow(/must be a JSON object/);
    await expect(
      loadConfigWithSecrets(env, async () => ({ HIERARCHICAL_MEMORY_CACHE_TTL: "1" })),
    ).rejects.toThrow(/HIERARCHICAL_MEMORY_CACHE_TTL, which is not a secret setting/);
    await expect(
      loadConfigWithSecrets(env, async () => {
        throw new Error("AccessDenied");
      }),
    ).rejects.toThrow(`could not read the secret ${arn}: AccessDenied`);
  });
});
