/**
 * Tier 2 client: Neon's serverless driver, which speaks the Postgres protocol over a WebSocket.
 * This is the only module that touches neonConfig. In production the defaults (secure WebSocket
 * to Neon) apply; locally `wsProxy` points at the emulation's WebSocket-to-TCP bridge.
 */
import { neonConfig, Pool } from "@neondatabase/serverless";
import ws from "ws";
import type { Config } from "../../config/index.js";
import { ProbeMismatchError, probeId, type TierProbe } from "../types.js";

export function createPostgresPool(config: Config["postgres"]): Pool {
  neonConfig.webSocketConstructor = ws;
  if (config.wsProxy) {
    const proxy = config.wsProxy;
    neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
  neonConfig.useSecureWebSocket = config.secureWebSocket;
  return new Pool({ connectionString: config.url, max: config.maxConnections });
}

export function postgresProbe(pool: Pool): TierProbe {
  return {
    tier: "postgres",
    async roundTrip() {
      const client = await pool.connect();
      const marker = probeId();
      try {
        // A temp table inside a transaction: exercises BEGIN/COMMIT and leaves nothing behind.
        await client.query("BEGIN");
        await client.query("CREATE TEMP TABLE tier_probe (id text PRIMARY KEY) ON COMMIT DROP");
        await client.query("INSERT INTO tier_probe (id) VALUES ($1)", [marker]);
        const read = await client.query<{ id: string }>("SELECT id FROM tier_probe WHERE id = $1", [marker]);
        if (read.rows[0]?.id !== marker) throw new ProbeMismatchError("postgres", "SELECT");
        await client.query("DELETE FROM tier_probe WHERE id = $1", [marker]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK").catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
  };
}
