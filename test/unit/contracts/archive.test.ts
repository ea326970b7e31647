/** The Archive contract against the in-memory archive. */
import { archiveContract } from "../../contracts/archive.contract.js";
import { uniqueIds } from "../../contracts/fixture.js";
import { createInMemoryStores } from "../../in-memory/index.js";

archiveContract("in-memory", async () => {
  const { archive, outbox } = createInMemoryStores();
  if (!archive || !outbox) throw new Error("the in-memory stores have no archive");
  return { archive, outbox, user: uniqueIds("archive") };
});
