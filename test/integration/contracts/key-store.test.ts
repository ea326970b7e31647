/** The KeyStore contract against PostgresKeyStore, in this run's shared database (tenants are unique). */
import { afterAll } from "vitest";
import { createPostgresPool } from "../../../shared/tiers/postgres/client.js";
import { PostgresKeyStore } from "../../../shared/tiers/postgres/key-store.js";
import { applyMigrations } from "../../../shared/tiers/postgres/migrations.js";
import { uniqueIds } from "../../contracts/fixture.js";
import { keyStoreContract } from "../../contracts/key-store.contract.js";
import { testConfig } from "../../helpers/config.js";

const pool = createPostgresPool({ ...testConfig().postgres, maxConnections: 2 });
afterAll(() => pool.end());
await applyMigrations(pool);
const keys = new PostgresKeyStore(pool);
const tenantIds = uniqueIds("t");

keyStoreContract("Postgres", async () => ({ keys, tenant: () => tenantIds().replace("/", "-") }));
