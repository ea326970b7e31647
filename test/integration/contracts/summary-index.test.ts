/** The SummaryIndex contract against ChromaSummaryIndex, in collections of this file's own (two shards). */
import { afterAll, beforeAll } from "vitest";
import { createChromaClient } from "../../../shared/tiers/chroma/client.js";
import { ChromaSummaryIndex } from "../../../shared/tiers/chroma/summary-index.js";
import { uniqueIds } from "../../contracts/fixture.js";
import { summaryIndexContract } from "../../contracts/summary-index.contract.js";
import { chromaConfig } from "./real-stores.js";

const config = chromaConfig();
const index = new ChromaSummaryIndex(createChromaClient(config), config.collection, 2);
beforeAll(() => index.prepare());
afterAll(() => index.dropAll());

summaryIndexContract("Chroma", async () => ({ index, user: uniqueIds("summaries") }));
