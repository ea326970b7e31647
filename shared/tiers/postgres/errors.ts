/** Telling "Postgres could not be reached or is overloaded" (answer 503) from every other error. */

/** The pool's own error when no connection frees up within connectionTimeoutMillis. */
const poolWaitTimeout = "timeout exceeded when trying to connect";

/** A database error of the connection (08), shutdown (57P) or insufficient resources (53) classes. */
function isUnavailableClass(error: unknown): boolean {
  const { severity, code } = (error ?? {}) as { severity?: unknown; code?: unknown };
  return (
    severity !== undefined &&
    typeof code === "string" &&
    (code.startsWith("08") || code.startsWith("57P") || code.startsWith("53"))
  );
}

/** A wait for a pool connection that timed out, or a database error of the unavailable classes. */
export function isPostgresUnavailable(error: unknown): boolean {
  return (error instanceof Error && error.message === poolWaitTimeout) || isUnavailableClass(error);
}

/**
 * For a call known to have gone to Postgres: anything that is not a database error (socket,
 * WebSocket, DNS) and not a bug of ours also means it could not be reached. Database errors carry
 * a severity.
 */
export function isConnectionFailure(error: unknown): boolean {
  if (error instanceof TypeError || error instanceof RangeError) return false;
  const { severity } = (error ?? {}) as { severity?: unknown };
  return severity === undefined || isUnavailableClass(error);
}
