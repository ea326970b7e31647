/** The MigrationRunStore contract against PostgresMigrationRuns, in a database of this file's own. */
import { PostgresArchive } from "../../../shared/tiers/postgres/archive.js";
import { PostgresMigrationRuns } from "../../../shared/tiers/postgres/migration-runs.js";
import { PostgresOutbox } from "../../../shared/tiers/postgres/outbox.js";
import { uniqueIds } from "../../contracts/fixture.js";
import { migrationRunsContract } from "../../contracts/migration-runs.contract.js";
import { privatePostgres } from "./real-stores.js";

const postgres = await privatePostgres();
const stores = {
  runs: new PostgresMigrationRuns(postgres.pool),
  archive: new PostgresArchive(postgres.pool),
  outbox: new PostgresOutbox(postgres.pool),
};

migrationRunsContract("Postgres", async () => {
  await postgres.reset();
  return { ...stores, user: uniqueIds("runs") };
});
