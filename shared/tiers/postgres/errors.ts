/**
 * Telling "Postgres could not be reached or is overloaded" (answer 503) from every other error.
 * Database errors are the driver's DatabaseError, branched on their SQLSTATE `code`.
 */
import { DatabaseError } from "@neondatabase/serverless";

/** The pool's own error when no connection frees up within connectionTimeoutMillis. */
const poolWaitTimeout = "timeout exceeded when trying to connect";

/** The SQLSTATE of a database error; undefined for anything else (socket, DNS, our own bugs). */
export const sqlState = (error: unknown) => (error instanceof DatabaseError ? error.code : undefined);

/** A database error of the connection (08), shutdown (57P) or insufficient resources (53) classes. */
function isUnavailableClass(error: unknown): boolean {
  const code = sqlState(error);
  return code !== undefined && (code.startsWith("08") || code.startsWith("57P") || code.startsWith("53"));
}

/** A wait for a pool connection that timed out, or a database error of the unavailable classes. */
export function isPostgresUnavailable(error: unknown): boolean {
  // The pool signals its wait timeout only by this message (pg-pool has no code for it).
  return (error instanceof Error && error.message === poolWaitTimeout) || isUnavailableClass(error);
}

/**
 * For a call known to have gone to Postgres: anything that is not a database error (socket,
 * WebSocket, DNS) and not a bug of ours also means it could not be reached.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return false;
  return !(error instanceof DatabaseError) || isUnavailableClass(error);
}

/** A unique violation (23505), optionally of one table. */
export const isUniqueViolation = (error: unknown, table?: string) =>
  sqlState(error) === "23505" && (table === undefined || (error as DatabaseError).table === table);
