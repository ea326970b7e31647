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
    options?: { cause?: unknown },
  ) {
    super(detail, options);
    this.name = "AppError";
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
