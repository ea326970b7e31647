/** The MigrationRunStore contract against the in-memory run store. */
import { uniqueIds } from "../../contracts/fixture.js";
import { migrationRunsContract } from "../../contracts/migration-runs.contract.js";
import { createInMemoryStores } from "../../in-memory/index.js";

migrationRunsContract("in-memory", async () => {
  const { runs, archive, outbox } = createInMemoryStores();
  if (!runs || !archive || !outbox) throw new Error("the in-memory stores have no run store");
  return { runs, archive, outbox, user: uniqueIds("runs") };
});
