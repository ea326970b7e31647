/** The ImportStore contract against PostgresImports, in a database of this file's own. */
import { PostgresImports } from "../../../shared/tiers/postgres/imports.js";
import { PostgresMigrationRuns } from "../../../shared/tiers/postgres/migration-runs.js";
import { importsContract } from "../../contracts/imports.contract.js";
import { privatePostgres } from "./real-stores.js";

const postgres = await privatePostgres();
const stores = {
  imports: new PostgresImports(postgres.pool),
  runs: new PostgresMigrationRuns(postgres.pool),
};

importsContract("Postgres", async () => {
  await postgres.reset();
  return stores;
});
