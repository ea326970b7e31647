/** Tier 4 client: the official Neo4j driver over Bolt; one driver per container, reused. */
import neo4j, { type Driver } from "neo4j-driver";
import type { Config } from "../../config/index.js";
import { UnexpectedAnswerError } from "../../errors/memory-error.js";
import { probeId, type TierProbe } from "../probe.js";

export function createNeo4jDriver(config: Config["neo4j"]): Driver {
  return neo4j.driver(config.uri, neo4j.auth.basic(config.user, config.password), {
    maxConnectionPoolSize: 50,
    connectionAcquisitionTimeout: 5_000,
    connectionTimeout: 5_000,
    disableLosslessIntegers: true,
    // Fail fast when the server is gone: the outbox retries later; a request must not wait 30 s.
    maxTransactionRetryTime: 2_000,
  });
}

export function neo4jProbe(driver: Driver, database?: string): TierProbe {
  return {
    tier: "neo4j",
    async roundTrip() {
      const id = probeId();
      const options = { database };
      await driver.executeQuery("CREATE (:TierProbe {id: $id})", { id }, options);
      try {
        const read = await driver.executeQuery(
          "MATCH (p:TierProbe {id: $id}) RETURN p.id AS id",
          { id },
          { ...options, routing: neo4j.routing.READ },
        );
        if (read.records[0]?.get("id") !== id) throw new UnexpectedAnswerError("neo4j", "MATCH");
      } finally {
        await driver.executeQuery("MATCH (p:TierProbe {id: $id}) DELETE p", { id }, options);
      }
    },
    async ping() {
      await driver.executeQuery("RETURN 1", {}, { database, routing: neo4j.routing.READ });
    },
  };
}
