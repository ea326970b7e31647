import { DatabaseError } from "@neondatabase/serverless";
import { describe, expect, it } from "vitest";
import {
  isConnectionFailure,
  isPostgresUnavailable,
  isUniqueViolation,
} from "../../shared/tiers/postgres/errors.js";

/** A database error as the driver raises it (the class it throws, with its SQLSTATE). */
const dbError = (code: string, table?: string) =>
  Object.assign(new DatabaseError("db", 0, "error"), { severity: "ERROR", code, table });

describe("Postgres error classes", () => {
  it("counts a pool wait timeout and the connection, shutdown and resource classes as unavailable", () => {
    expect(isPostgresUnavailable(new Error("timeout exceeded when trying to connect"))).toBe(true);
    for (const code of ["08006", "57P01", "53300"]) expect(isPostgresUnavailable(dbError(code))).toBe(true);
  });

  it("leaves refusals and our own bugs alone", () => {
    for (const code of ["23505", "42P01", "22P02"]) expect(isPostgresUnavailable(dbError(code))).toBe(false);
    expect(isPostgresUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(isPostgresUnavailable(new Error("something else"))).toBe(false);
    // A look-alike that is not the driver's class is not a database error.
    expect(isPostgresUnavailable(Object.assign(new Error("db"), { severity: "ERROR", code: "08006" }))).toBe(
      false,
    );
  });

  it("treats any non-database error of a Postgres call as a connection failure, but not a bug", () => {
    expect(isConnectionFailure(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))).toBe(
      true,
    );
    expect(isConnectionFailure(dbError("23505"))).toBe(false);
    expect(isConnectionFailure(dbError("57P01"))).toBe(true);
    expect(isConnectionFailure(new TypeError("x is undefined"))).toBe(false);
  });

  it("tells a unique violation, and of which table", () => {
    expect(isUniqueViolation(dbError("23505", "migration_batches"))).toBe(true);
    expect(isUniqueViolation(dbError("23505", "migration_batches"), "migration_batches")).toBe(true);
    expect(isUniqueViolation(dbError("23505", "exchanges"), "migration_batches")).toBe(false);
    expect(isUniqueViolation(dbError("23503"))).toBe(false);
  });
});
