/** Tier 4 through neo4j-driver over Bolt against a real Neo4j started by the emulation. */
import { afterAll, describe, expect, it } from "vitest";
import { createNeo4jDriver, neo4jProbe } from "../../shared/tiers/neo4j/client.js";
import { testConfig } from "../helpers/config.js";

const driver = createNeo4jDriver(testConfig().neo4j);
const run = crypto.randomUUID();

afterAll(async () => {
  await driver.executeQuery("MATCH (n {testRun: $run}) DETACH DELETE n", { run });
  await driver.close();
});

describe("Neo4j tier (neo4j-driver)", () => {
  it("writes, reads back and deletes through the probe", async () => {
    await expect(neo4jProbe(driver).roundTrip()).resolves.toBeUndefined();
    const left = await driver.executeQuery("MATCH (p:TierProbe) RETURN count(p) AS n");
    expect(left.records[0]?.get("n")).toBe(0);
  });

  it("creates and traverses a relationship with parameters only", async () => {
    const name = "Alice'}) DETACH DELETE (x) //";
    await driver.executeQuery(
      `MERGE (u:TestUser {id: $user, testRun: $run})
       MERGE (e:TestEntity {name: $name, testRun: $run})
       MERGE (u)-[:MENTIONED]->(e)`,
      { user: "u1", name, run },
    );
    const read = await driver.executeQuery(
      "MATCH (:TestUser {id: $user, testRun: $run})-[:MENTIONED]->(e) RETURN e.name AS name",
      { user: "u1", run },
    );
    expect(read.records.map((r) => r.get("name"))).toEqual([name]);
  });
});
