import { describe, expect, it } from "vitest";
import { isConnectionFailure, isPostgresUnavailable } from "../../shared/tiers/postgres/errors.js";

const dbError = (code: string) => Object.assign(new Error("db"), { severity: "ERROR", code });

describe("Postgres error classes", () => {
  it("counts a pool wait timeout and the connection, shutdown and resource classes as unavailable", () => {
    expect(isPostgresUnavailable(new Error("timeout exceeded when trying to connect"))).toBe(true);
    for (const code of ["08006", "57P01", "53300"]) expect(isPostgresUnavailable(dbError(code))).toBe(true);
  });

  it("leaves refusals and our own bugs alone", () => {
    for (const code of ["23505", "42P01", "22P02"]) expect(isPostgresUnavailable(dbError(code))).toBe(false);
    expect(isPostgresUnavailable(new TypeError("x is undefined"))).toBe(false);
    expect(isPostgresUnavailable(new Error("something else"))).toBe(false);
  });

  it("treats any non-database error of a Postgres call as a connection failure, but not a bug", () => {
    expect(isConnectionFailure(Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }))).toBe(
      true,
    );
    expect(isConnectionFailure(dbError("23505"))).toBe(false);
    expect(isConnectionFailure(new TypeError("x is undefined"))).toBe(false);
  });
});
