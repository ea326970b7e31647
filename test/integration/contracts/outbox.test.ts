/** The Outbox contract against PostgresOutbox, in a database of this file's own. */
import { PostgresArchive } from "../../../shared/tiers/postgres/archive.js";
import { PostgresOutbox } from "../../../shared/tiers/postgres/outbox.js";
import { uniqueIds } from "../../contracts/fixture.js";
import { outboxContract } from "../../contracts/outbox.contract.js";
import { privatePostgres } from "./real-stores.js";

const postgres = await privatePostgres();
const archive = new PostgresArchive(postgres.pool);
const outbox = new PostgresOutbox(postgres.pool);

outboxContract("Postgres", async () => {
  await postgres.reset();
  return { archive, outbox, user: uniqueIds("outbox") };
});
