/** The Archive contract against PostgresArchive, in a database of this file's own. */
import { PostgresArchive } from "../../../shared/tiers/postgres/archive.js";
import { PostgresOutbox } from "../../../shared/tiers/postgres/outbox.js";
import { archiveContract } from "../../contracts/archive.contract.js";
import { uniqueIds } from "../../contracts/fixture.js";
import { privatePostgres } from "./real-stores.js";

const postgres = await privatePostgres();
const archive = new PostgresArchive(postgres.pool);
const outbox = new PostgresOutbox(postgres.pool);

archiveContract("Postgres", async () => {
  await postgres.reset();
  return { archive, outbox, user: uniqueIds("archive") };
});
