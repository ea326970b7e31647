/** The LegacySource contract against the in-memory legacy store. */
import { legacySourceContract } from "../../contracts/legacy-source.contract.js";
import { InMemoryLegacySource } from "../../in-memory/index.js";

legacySourceContract("in-memory", async (records) => new InMemoryLegacySource(records));
