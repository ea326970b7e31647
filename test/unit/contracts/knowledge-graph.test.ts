/** The KnowledgeGraph contract against the in-memory graph. */
import { uniqueIds } from "../../contracts/fixture.js";
import { knowledgeGraphContract } from "../../contracts/knowledge-graph.contract.js";
import { InMemoryKnowledgeGraph } from "../../in-memory/index.js";

knowledgeGraphContract("in-memory", async () => ({
  graph: new InMemoryKnowledgeGraph(),
  user: uniqueIds("graph"),
}));
