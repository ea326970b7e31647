/**
 * Uses the machine's Postgres (127.0.0.1:5432, trust auth), starting its cluster if it is stopped,
 * and creates databases on demand through the production driver and the Neon bridge.
 */
import { execSync } from "node:child_process";
import type { Pool } from "@neondatabase/serverless";
import { createPostgresPool } from "../../../shared/tiers/postgres/client.js";
import { tcpAnswers, waitFor } from "../process-utils.js";

export const pgHost = "127.0.0.1";
export const pgPort = Number(process.env.HM_LOCAL_PG_PORT ?? 5432);
export const pgUser = process.env.HM_LOCAL_PG_USER ?? "postgres";

export async function ensurePostgres(): Promise<void> {
  if (await tcpAnswers(pgPort, pgHost)) return;
  console.log("[local] Postgres is not answering; starting the machine's cluster");
  execSync("pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start", { stdio: "inherit" });
  await waitFor("Postgres", () => tcpAnswers(pgPort, pgHost), 30_000);
}

export const databaseUrl = (database: string) => `postgresql://${pgUser}@${pgHost}:${pgPort}/${database}`;

/** Creates `database` unless it exists. Names are checked: CREATE DATABASE cannot take parameters. */
export async function ensureDatabase(wsProxy: string, database: string): Promise<string> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`invalid database name: ${database}`);
  const pool = adminPool(wsProxy);
  try {
    const found = await pool.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) await pool.query(`CREATE DATABASE "${database}"`);
  } finally {
    await pool.end();
  }
  return databaseUrl(database);
}

export async function dropDatabase(wsProxy: string, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`invalid database name: ${database}`);
  const pool = adminPool(wsProxy);
  try {
    await pool.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
  } finally {
    await pool.end();
  }
}

function adminPool(wsProxy: string): Pool {
  return createPostgresPool({
    enabled: true,
    url: databaseUrl("postgres"),
    maxConnections: 1,
    wsProxy,
    secureWebSocket: false,
  });
}
