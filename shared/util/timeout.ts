/** Bounds a promise by a timeout (p-timeout): rejects with a TimeoutError after `ms`, timer cleared either way. */
import pTimeout from "p-timeout";
import { TimeoutError } from "../errors/memory-error.js";

export function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  // The error is made only when the time is up: capturing its stack on every call was ~0.05 ms a
  // store in the load benchmark's profile, for an error almost never thrown.
  return pTimeout(work, {
    milliseconds: ms,
    fallback: () => {
      throw new TimeoutError(message);
    },
  });
}
