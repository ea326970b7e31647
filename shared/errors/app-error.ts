/**
 * One error class with an HTTP status and a problem type, and one mapper to RFC 9457
 * `application/problem+json`. The cause is kept for logs and never sent to a client.
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail: string,
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(detail, options);
    this.name = "AppError";
    this.headers = options?.headers ?? {};
  }
  readonly headers: Record<string, string>;
}

/** A tier the request needs is unreachable; nothing was acknowledged. */
export class TierUnavailableError extends Error {
  constructor(
    readonly tier: string,
    options?: { cause?: unknown },
  ) {
    super(`${tier} is unavailable`, options);
    this.name = "TierUnavailableError";
  }
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  requestId?: string;
}

export const problemType = (slug: string) => `https://hierarchical-memory.dev/problems/${slug}`;

export const problems = {
  badRequest: (detail: string) =>
    new AppError(400, problemType("invalid-request"), "Invalid request", detail),
  unauthorized: () =>
    new AppError(
      401,
      problemType("unauthorized"),
      "Unauthorized",
      "a valid API key is required (Authorization: Bearer hm_...)",
      {
        headers: { "www-authenticate": 'Bearer realm="hierarchical-memory"' },
      },
    ),
  forbidden: (detail: string) => new AppError(403, problemType("forbidden"), "Forbidden", detail),
  notFound: (detail: string) => new AppError(404, problemType("not-found"), "Not Found", detail),
  methodNotAllowed: (method: string, path: string, allow: string[]) =>
    new AppError(
      405,
      problemType("method-not-allowed"),
      "Method Not Allowed",
      `${method} is not allowed on ${path}`,
      {
        headers: { allow: allow.join(", ") },
      },
    ),
  tooLarge: (limit: number) =>
    new AppError(
      413,
      problemType("too-large"),
      "Payload Too Large",
      `the request body exceeds ${limit} bytes`,
    ),
  rateLimited: (retryAfterSeconds: number) =>
    new AppError(
      429,
      problemType("rate-limited"),
      "Too Many Requests",
      `rate limit exceeded; retry in ${retryAfterSeconds} s`,
      {
        headers: { "retry-after": String(retryAfterSeconds) },
      },
    ),
  /** `failed`: what could not be done, when not a store ("could not check the API key"). */
  unavailable: (tier: string, cause?: unknown, failed = "nothing was stored") =>
    new AppError(
      503,
      problemType("unavailable"),
      "Service Unavailable",
      `${tier} is unavailable; ${failed}, retry later`,
      {
        cause,
        headers: { "retry-after": "5" },
      },
    ),
};

export function toProblem(error: unknown, requestId?: string, instance?: string): Problem {
  if (error instanceof AppError)
    return {
      type: error.type,
      title: error.title,
      status: error.status,
      detail: error.detail,
      instance,
      requestId,
    };
  return {
    type: problemType("internal"),
    title: "Internal Server Error",
    status: 500,
    detail: "The server failed to handle the request; it has been logged.",
    instance,
    requestId,
  };
}
