/** The Erasures contract against PostgresErasures and PostgresArchive, in a database of this file's own. */
import { PostgresArchive } from "../../../shared/tiers/postgres/archive.js";
import { PostgresErasures } from "../../../shared/tiers/postgres/erasures.js";
import { erasuresContract } from "../../contracts/erasures.contract.js";
import { uniqueIds } from "../../contracts/fixture.js";
import { privatePostgres } from "./real-stores.js";

const postgres = await privatePostgres();
const archive = new PostgresArchive(postgres.pool);
const erasures = new PostgresErasures(postgres.pool);

erasuresContract("Postgres", async () => {
  await postgres.reset();
  return { archive, erasures, user: uniqueIds("erase") };
});
