/** The KnowledgeGraph contract against Neo4jKnowledgeGraph; users are unique, and deleted after the file. */
import { afterAll, beforeAll } from "vitest";
import { createNeo4jDriver } from "../../../shared/tiers/neo4j/client.js";
import { Neo4jKnowledgeGraph } from "../../../shared/tiers/neo4j/knowledge-graph.js";
import { uniqueIds } from "../../contracts/fixture.js";
import { knowledgeGraphContract } from "../../contracts/knowledge-graph.contract.js";
import { testConfig } from "../../helpers/config.js";

const config = testConfig().neo4j;
const driver = createNeo4jDriver(config);
const graph = new Neo4jKnowledgeGraph(driver, config.database);
const nextUser = uniqueIds("graph");
const users: string[] = [];

beforeAll(() => graph.prepare());
afterAll(async () => {
  for (const user of users) await graph.deleteUser(user);
  await driver.close();
});

knowledgeGraphContract("Neo4j", async () => ({
  graph,
  user: () => {
    const user = nextUser();
    users.push(user);
    return user;
  },
}));
