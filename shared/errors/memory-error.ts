/**
 * One error hierarchy for the whole service. Every error the memory raises on purpose is a
 * MemoryError with a stable `code` that callers branch on (the edge maps it to an HTTP status in one
 * table); the underlying failure, if any, is its `cause`, kept for logs and never shown to a client.
 */

export type ErrorCode =
  | "invalid-input"
  | "not-found"
  | "conflict"
  | "tier-unavailable"
  | "timeout"
  | "unexpected-answer"
  | "invalid-config";

export class MemoryError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** The request cannot be done as asked; the message says what to change. */
export class InvalidInputError extends MemoryError {
  constructor(message: string, options?: ErrorOptions & { field?: string }) {
    super("invalid-input", message, options);
    this.field = options?.field;
  }
  readonly field?: string;
}

export class NotFoundError extends MemoryError {
  constructor(message: string, options?: ErrorOptions) {
    super("not-found", message, options);
  }
}

/** The thing exists but is in a state that refuses the request (a rolled-back run, say). */
export class ConflictError extends MemoryError {
  constructor(message: string, options?: ErrorOptions) {
    super("conflict", message, options);
  }
}

/** A tier the request needs could not be reached or is overloaded; nothing was acknowledged. */
export class TierUnavailableError extends MemoryError {
  constructor(
    readonly tier: string,
    options?: ErrorOptions & { failed?: string; retry?: string },
  ) {
    const failed = options?.failed ? `; ${options.failed}` : "";
    super("tier-unavailable", `${tier} is unavailable${failed}, ${options?.retry ?? "retry later"}`, options);
  }
}

/** Work that did not finish in the time it was given (its result, if any, is dropped). */
export class TimeoutError extends MemoryError {
  constructor(message: string, options?: ErrorOptions) {
    super("timeout", message, options);
  }
}

/** A store answered, but not with what was just written (a connectivity probe's read-back). */
export class UnexpectedAnswerError extends MemoryError {
  constructor(tier: string, step: string) {
    super("unexpected-answer", `${tier}: ${step} returned an unexpected value`);
  }
}

/** Thrown when the environment is invalid; its message names every bad variable. */
export class ConfigError extends MemoryError {
  constructor(
    readonly problems: readonly string[],
    options?: ErrorOptions,
  ) {
    super("invalid-config", `Invalid configuration:\n  - ${problems.join("\n  - ")}`, options);
  }
}

/** The message and its chain of causes, for logs: "fetch failed" alone does not say DNS failed. */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const messages: string[] = [];
  for (let e: unknown = error; e instanceof Error && messages.length < 5; e = e.cause)
    if (e.message) messages.push(e.message);
  return messages.join(": ");
}
