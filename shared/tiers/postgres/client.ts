/**
 * Tier 2 client: Neon's serverless driver, which speaks the Postgres protocol over a WebSocket.
 * This is the only module that touches neonConfig. In production the defaults (secure WebSocket
 * to Neon) apply; locally `wsProxy` points at the emulation's WebSocket-to-TCP bridge. The stores
 * query through `guard(pool)`, so "Postgres is unreachable or overloaded" leaves the tier as a
 * TierUnavailableError, never as a driver error.
 */
import {
  neonConfig,
  Pool,
  type PoolClient,
  type QueryConfig,
  type QueryResult,
  type QueryResultRow,
} from "@neondatabase/serverless";
import ws from "ws";
import type { Config } from "../../config/index.js";
import { TierUnavailableError, UnexpectedAnswerError } from "../../errors/memory-error.js";
import { probeId, type TierProbe } from "../probe.js";
import { isPostgresUnavailable } from "./errors.js";

/** What a query can go through: the guarded pool or a transaction's client. */
export interface Queryable {
  // biome-ignore lint/suspicious/noExplicitAny: the driver's own default row type.
  query<R extends QueryResultRow = any>(
    text: string | QueryConfig,
    values?: unknown[],
  ): Promise<QueryResult<R>>;
}

/**
 * A pool for the configured Postgres. `statementTimeoutMs`: Postgres cancels any statement of this
 * pool running longer (the context reads' pool); default none.
 */
export function createPostgresPool(
  config: Omit<Config["postgres"], "readTimeoutMs">,
  options: { statementTimeoutMs?: number } = {},
): Pool {
  neonConfig.webSocketConstructor = ws;
  if (config.wsProxy) {
    const proxy = config.wsProxy;
    neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
  neonConfig.useSecureWebSocket = config.secureWebSocket;
  const pool = new Pool({
    connectionString: config.url,
    max: config.maxConnections,
    // Under overload, waiting for a free connection or an answer must end in an error, not a hang.
    connectionTimeoutMillis: 5_000,
    query_timeout: 30_000,
    idleTimeoutMillis: 60_000,
    ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
  });
  // An idle client whose connection drops emits 'error' on the pool; unhandled, that would crash
  // the process. The next query on the pool reports the outage instead.
  pool.on("error", () => undefined);
  return pool;
}

/** Rethrows an unreachable or overloaded Postgres as TierUnavailableError; any other error as it is. */
export function rethrowUnavailable(error: unknown): never {
  if (isPostgresUnavailable(error)) throw new TierUnavailableError("postgres", { cause: error });
  throw error;
}

/** The pool's queries, with unavailability translated (see rethrowUnavailable). */
export function guard(pool: Pool): Queryable {
  return {
    query: (text, values) => pool.query(text, values).catch(rethrowUnavailable),
  };
}

/**
 * Runs `work` with a checked-out client. While it is out, a dropped connection would emit 'error'
 * on the client with nobody listening (a crash); the listener keeps it to the next query's error.
 */
export async function withClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect().catch(rethrowUnavailable);
  const onError = () => undefined;
  client.on("error", onError);
  try {
    return await work(client);
  } finally {
    client.off("error", onError);
    client.release();
  }
}

/** Runs `work` in a transaction: COMMIT when it resolves, ROLLBACK when it throws. */
export function inTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  return withClient(pool, async (client) => {
    await client.query("BEGIN");
    try {
      const result = await work(client);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    }
  }).catch(rethrowUnavailable);
}

export function postgresProbe(pool: Pool): TierProbe {
  return {
    tier: "postgres",
    async roundTrip() {
      const marker = probeId();
      // A temp table inside a transaction: exercises BEGIN/COMMIT and leaves nothing behind.
      await inTransaction(pool, async (client) => {
        await client.query("CREATE TEMP TABLE tier_probe (id text PRIMARY KEY) ON COMMIT DROP");
        await client.query("INSERT INTO tier_probe (id) VALUES ($1)", [marker]);
        const read = await client.query<{ id: string }>("SELECT id FROM tier_probe WHERE id = $1", [marker]);
        if (read.rows[0]?.id !== marker) throw new UnexpectedAnswerError("postgres", "SELECT");
        await client.query("DELETE FROM tier_probe WHERE id = $1", [marker]);
      });
    },
    async ping() {
      await guard(pool).query("SELECT 1");
    },
  };
}
