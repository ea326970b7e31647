/** The KeyStore contract against the in-memory key store. */
import { uniqueIds } from "../../contracts/fixture.js";
import { keyStoreContract } from "../../contracts/key-store.contract.js";
import { InMemoryKeyStore } from "../../in-memory/index.js";

const tenantIds = uniqueIds("t");

keyStoreContract("in-memory", async () => ({
  keys: new InMemoryKeyStore(),
  tenant: () => tenantIds().replace("/", "-"),
}));
