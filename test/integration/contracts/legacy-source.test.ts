/** The LegacySource contract against LegacyChromaSource, each legacy store in a Chroma database of its own. */
import { writeLegacyStore } from "../../../infra/local/legacy-fixture.js";
import { LegacyChromaSource } from "../../../shared/tiers/chroma/legacy-source.js";
import { legacySourceContract } from "../../contracts/legacy-source.contract.js";
import { privateChromaDatabases } from "./real-stores.js";

const newDatabase = privateChromaDatabases();

legacySourceContract("Chroma", async (records) => {
  const chroma = await newDatabase();
  if (records) await writeLegacyStore(chroma, records, { dimensions: 8 });
  return new LegacyChromaSource(chroma);
});
