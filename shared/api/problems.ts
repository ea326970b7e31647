/**
 * The edge's error vocabulary: AppError (an HTTP status, an RFC 9457 problem type and headers) and
 * one table from the memory's error codes to problems, which the REST API, MCP and the console all
 * use. A client sees the problem's detail; the cause is kept for the log and never sent.
 */
import { HTTPException } from "hono/http-exception";
import { type ErrorCode, MemoryError, TierUnavailableError } from "../errors/memory-error.js";

export class AppError extends Error {
  readonly headers: Record<string, string>;

  constructor(
    readonly status: number,
    readonly type: string,
    readonly title: string,
    readonly detail: string,
    options?: ErrorOptions & { headers?: Record<string, string> },
  ) {
    super(detail, options);
    this.name = "AppError";
    this.headers = options?.headers ?? {};
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

/** How long a client should wait after a 503. */
const retryAfterSeconds = "5";

/** Each memory error code as a problem: status, type slug, title, and headers. */
const byCode: Record<ErrorCode, { status: number; slug: string; title: string; retry?: boolean }> = {
  "invalid-input": { status: 400, slug: "invalid-request", title: "Invalid request" },
  "not-found": { status: 404, slug: "not-found", title: "Not Found" },
  conflict: { status: 409, slug: "conflict", title: "Conflict" },
  "tier-unavailable": { status: 503, slug: "unavailable", title: "Service Unavailable", retry: true },
  timeout: { status: 503, slug: "unavailable", title: "Service Unavailable", retry: true },
  "unexpected-answer": { status: 500, slug: "internal", title: "Internal Server Error" },
  "invalid-config": { status: 500, slug: "internal", title: "Internal Server Error" },
};

const internalDetail = "The server failed to handle the request; it has been logged.";

/** Any error as an AppError: memory errors by the table, Hono's 4xx as 400, the rest as a 500. */
export function toAppError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof MemoryError) {
    const p = byCode[error.code];
    const detail = p.status === 500 ? internalDetail : error.message;
    return new AppError(p.status, problemType(p.slug), p.title, detail, {
      cause: error,
      headers: p.retry ? { "retry-after": retryAfterSeconds } : {},
    });
  }
  if (error instanceof HTTPException && error.status === 415)
    return problems.unsupportedMediaType("this route does not take a body of that content type");
  if (error instanceof HTTPException && error.status < 500)
    return problems.badRequest(error.message || "invalid request");
  return new AppError(500, problemType("internal"), "Internal Server Error", internalDetail, {
    cause: error,
  });
}

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
  missingScope: (scope: string) =>
    new AppError(403, problemType("missing-scope"), "Forbidden", `this API key lacks the ${scope} scope`),
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
  unsupportedMediaType: (detail: string) =>
    new AppError(415, problemType("unsupported-media-type"), "Unsupported Media Type", detail),
  rateLimited: (retryAfter: number) =>
    new AppError(
      429,
      problemType("rate-limited"),
      "Too Many Requests",
      `rate limit exceeded; retry in ${retryAfter} s`,
      {
        headers: { "retry-after": String(retryAfter) },
      },
    ),
  /** A tier the request needs is out; `failed`: what could not be done. */
  unavailable: (tier: string, cause?: unknown, failed?: string) =>
    toAppError(new TierUnavailableError(tier, { cause, failed })),
};

/** The problem document of an error (RFC 9457). */
export function toProblem(error: AppError, requestId?: string, instance?: string): Problem {
  return {
    type: error.type,
    title: error.title,
    status: error.status,
    detail: error.detail,
    instance,
    requestId,
  };
}
