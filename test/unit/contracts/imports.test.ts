/** The ImportStore contract against the in-memory import store. */
import { importsContract } from "../../contracts/imports.contract.js";
import { createInMemoryStores } from "../../in-memory/index.js";

importsContract("in-memory", async () => {
  const { imports, runs } = createInMemoryStores();
  if (!imports || !runs) throw new Error("the in-memory stores have no import store");
  return { imports, runs };
});
