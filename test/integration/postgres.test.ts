/** Tier 2 through @neondatabase/serverless (Pool over WebSocket) against the machine's real Postgres. */
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresPool, postgresProbe } from "../../shared/tiers/postgres/client.js";
import { testConfig } from "../helpers/config.js";

const config = testConfig();
const pool = createPostgresPool(config.postgres);

afterAll(() => pool.end());

describe("Postgres tier (Neon serverless driver)", () => {
  it("writes, reads back and deletes through the probe, inside a transaction", async () => {
    await expect(postgresProbe(pool).roundTrip()).resolves.toBeUndefined();
  });

  it("runs in this test run's own fresh database", async () => {
    const { rows } = await pool.query<{ db: string }>("SELECT current_database() AS db");
    expect(rows[0]?.db).toMatch(/^hm_test_[0-9a-f]{12}$/);
  });

  it("commits and rolls back transactions, with parameters kept apart from SQL", async () => {
    await pool.query("CREATE TABLE IF NOT EXISTS tx_check (id serial PRIMARY KEY, body text NOT NULL)");
    const hostile = "'); DROP TABLE tx_check; --";
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      await client.query("INSERT INTO tx_check (body) VALUES ($1)", [hostile]);
      await client.query("ROLLBACK");
      await client.query("BEGIN");
      await client.query("INSERT INTO tx_check (body) VALUES ($1)", ["kept ✓"]);
      await client.query("COMMIT");
    } finally {
      client.release();
    }
    const { rows } = await pool.query<{ body: string }>("SELECT body FROM tx_check ORDER BY id");
    expect(rows.map((r) => r.body)).toEqual(["kept ✓"]);
  });

  it("keeps the database's error code on driver errors", async () => {
    await pool.query("CREATE TABLE IF NOT EXISTS unique_check (k text PRIMARY KEY)");
    await pool.query("INSERT INTO unique_check VALUES ($1)", ["same"]);
    await expect(pool.query("INSERT INTO unique_check VALUES ($1)", ["same"])).rejects.toMatchObject({
      code: "23505",
    });
  });
});
