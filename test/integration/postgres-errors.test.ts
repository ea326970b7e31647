/**
 * What shared/tiers/postgres/errors.ts relies on, checked on the real driver (Neon's, over the
 * emulation's WebSocket bridge): a database error arrives as the driver's DatabaseError with its
 * SQLSTATE code and table, so a refusal is told from an outage. test/unit/postgres-errors.test.ts
 * checks the classification itself.
 */
import { DatabaseError } from "@neondatabase/serverless";
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresPool } from "../../shared/tiers/postgres/client.js";
import { isPostgresUnavailable, isUniqueViolation, sqlState } from "../../shared/tiers/postgres/errors.js";
import { testConfig } from "../helpers/config.js";

const pool = createPostgresPool({ ...testConfig().postgres, maxConnections: 1 });
const table = `unique_check_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;

afterAll(async () => {
  await pool.query(`DROP TABLE IF EXISTS ${table}`);
  await pool.end();
});

describe("Postgres driver errors", () => {
  it("keep the SQLSTATE code and the table of a unique violation", async () => {
    await pool.query(`CREATE TABLE ${table} (k text PRIMARY KEY)`);
    await pool.query(`INSERT INTO ${table} VALUES ($1)`, ["same"]);
    const error = await pool.query(`INSERT INTO ${table} VALUES ($1)`, ["same"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
    expect(error).toMatchObject({ code: "23505", table });
    expect(sqlState(error)).toBe("23505");
    expect(isUniqueViolation(error, table)).toBe(true);
    expect(isUniqueViolation(error, "another_table")).toBe(false);
    expect(isPostgresUnavailable(error)).toBe(false);
  });

  it("keep the code of a refused value (22P02), which is no outage", async () => {
    const error = await pool.query("SELECT $1::uuid", ["not-a-uuid"]).catch((e: unknown) => e);
    expect(sqlState(error)).toBe("22P02");
    expect(isPostgresUnavailable(error)).toBe(false);
  });
});
