/**
 * What a failed tier call means, as a stable code that may be shown to anyone (health, timings):
 * the driver's own message can quote stored data or name hosts, so it goes to the log only.
 */
import { MemoryError } from "../errors/memory-error.js";

export type TierFailure =
  | "timeout"
  | "unreachable"
  | "unavailable"
  | "refused"
  | "unexpected-answer"
  | "failed";

/** Network errors of Node, undici and the drivers that mean the service could not be reached. */
const unreachableCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "ETIMEDOUT",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_SOCKET",
  "ServiceUnavailable",
  "SessionExpired",
]);
const unreachableNames = new Set(["ChromaConnectionError"]);

/** The next link of an error chain: its cause, or the error a WebSocket ErrorEvent carries. */
const next = (e: unknown) => (e as { cause?: unknown }).cause ?? (e as { error?: unknown }).error;

/** The failure's code, from the error or the first cause that tells. */
export function tierFailureCode(error: unknown): TierFailure {
  for (let e: unknown = error, depth = 0; e && depth < 6; e = next(e), depth++) {
    if (e instanceof MemoryError) {
      if (e.code === "timeout") return "timeout";
      if (e.code === "tier-unavailable") return "unavailable";
      if (e.code === "unexpected-answer") return "unexpected-answer";
    }
    const { code, name } = e as { code?: unknown; name?: unknown };
    if (typeof code === "string" && unreachableCodes.has(code)) return "unreachable";
    if (typeof name === "string" && unreachableNames.has(name)) return "unreachable";
    if (typeof code === "string" && (code === "28P01" || code.startsWith("Neo.ClientError.Security")))
      return "refused";
  }
  return "failed";
}
