/** The SummaryIndex contract against the in-memory index. */
import { uniqueIds } from "../../contracts/fixture.js";
import { summaryIndexContract } from "../../contracts/summary-index.contract.js";
import { InMemorySummaryIndex } from "../../in-memory/index.js";

summaryIndexContract("in-memory", async () => ({
  index: new InMemorySummaryIndex(),
  user: uniqueIds("summaries"),
}));
