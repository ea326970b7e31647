/** The Outbox contract against the in-memory outbox. */
import { uniqueIds } from "../../contracts/fixture.js";
import { outboxContract } from "../../contracts/outbox.contract.js";
import { createInMemoryStores } from "../../in-memory/index.js";

outboxContract("in-memory", async () => {
  const { archive, outbox } = createInMemoryStores();
  if (!archive || !outbox) throw new Error("the in-memory stores have no outbox");
  return { archive, outbox, user: uniqueIds("outbox") };
});
