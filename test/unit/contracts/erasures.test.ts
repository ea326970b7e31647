/** The Erasures contract against the in-memory erasures and archive. */
import { erasuresContract } from "../../contracts/erasures.contract.js";
import { uniqueIds } from "../../contracts/fixture.js";
import { createInMemoryStores } from "../../in-memory/index.js";

erasuresContract("in-memory", async () => {
  const { archive, erasures } = createInMemoryStores();
  if (!archive || !erasures) throw new Error("the in-memory stores have no archive");
  return { archive, erasures, user: uniqueIds("erase") };
});
