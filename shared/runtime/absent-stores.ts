/**
 * Stand-ins for stores a configuration leaves out, so the services that need them answer with a
 * clear error instead of being absent altogether.
 */
import { ConfigError, TierUnavailableError } from "../errors/memory-error.js";
import type { KeyStore } from "../tiers/key-store.js";
import type { LegacySource } from "../tiers/legacy-source.js";

const noPostgres = () =>
  Promise.reject(
    new TierUnavailableError("postgres", { failed: "API keys live in Postgres, which is disabled" }),
  );

/** Keys live in Postgres: without it every key is refused and none can be made. */
export const refusingKeyStore: KeyStore = {
  verify: async () => undefined,
  list: async () => [],
  revoke: async () => false,
  create: noPostgres,
  createAdmin: noPostgres,
};

const noLegacy = () =>
  Promise.reject(
    new ConfigError([
      "HIERARCHICAL_MEMORY_LEGACY_CHROMADB_URL: no legacy store is configured to migrate from",
    ]),
  );

/** Without a legacy store, runs can still be listed, validated and rolled back; a new run says why not. */
export const noLegacySource: LegacySource = { count: noLegacy, page: noLegacy, byUserId: noLegacy };
