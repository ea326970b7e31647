/**
 * In the cloud, service URLs, tokens and passwords live in one Secrets Manager secret (a JSON object
 * keyed by the same variable names as template.env); its ARN is the only thing in the environment.
 * The secret is read once per cold start, merged under the environment, and parsed like any config.
 */
import { ConfigError, describeError } from "../errors/memory-error.js";
import { type Config, loadConfig } from "./index.js";

type Source = Record<string, string | undefined>;
export type FetchSecret = (arn: string) => Promise<unknown>;

/** Variables that must come from the secret, never from plain environment variables. */
export const secretVariables = [
  "HIERARCHICAL_MEMORY_REDIS_URL",
  "HIERARCHICAL_MEMORY_REDIS_PASSWORD",
  "HIERARCHICAL_MEMORY_POSTGRESQL_URL",
  "HIERARCHICAL_MEMORY_CHROMADB_URL",
  "HIERARCHICAL_MEMORY_CHROMADB_API_KEY",
  "HIERARCHICAL_MEMORY_NEO4J_URI",
  "HIERARCHICAL_MEMORY_NEO4J_PASSWORD",
  "HIERARCHICAL_MEMORY_EMBEDDING_API_KEY",
  "HIERARCHICAL_MEMORY_FACT_EXTRACTOR_API_KEY",
  "HIERARCHICAL_MEMORY_LEGACY_CHROMADB_URL",
  "HIERARCHICAL_MEMORY_LEGACY_CHROMADB_API_KEY",
] as const;

const powertoolsGetSecret: FetchSecret = async (arn) => {
  const { getSecret } = await import("@aws-lambda-powertools/parameters/secrets");
  return getSecret(arn, { transform: "json", maxAge: 300 });
};

/** loadConfig, with the secret named by HIERARCHICAL_MEMORY_SECRETS_ARN filled in first. */
export async function loadConfigWithSecrets(
  source: Source = process.env,
  fetchSecret: FetchSecret = powertoolsGetSecret,
): Promise<Config> {
  const arn = source.HIERARCHICAL_MEMORY_SECRETS_ARN;
  if (!arn) return loadConfig(source);
  const secret = await fetchSecret(arn).catch((error: unknown) => {
    throw new ConfigError([`could not read the secret ${arn}: ${describeError(error)}`], { cause: error });
  });
  if (!secret || typeof secret !== "object" || Array.isArray(secret))
    throw new ConfigError([`the secret ${arn} must be a JSON object of variable names to values`]);
  const values: Source = {};
  for (const [name, value] of Object.entries(secret)) {
    if (!(secretVariables as readonly string[]).includes(name))
      throw new ConfigError([
        `the secret ${arn} holds ${name}, which is not a secret setting (${secretVariables.join(", ")})`,
      ]);
    if (typeof value !== "string") throw new ConfigError([`the secret ${arn}: ${name} must be a string`]);
    values[name] = value;
  }
  return loadConfig({ ...source, ...values });
}
