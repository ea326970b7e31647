/** Bounds a promise by a timeout (p-timeout): rejects with a TimeoutError after `ms`, timer cleared either way. */
import pTimeout from "p-timeout";
import { TimeoutError } from "../errors/memory-error.js";

export function withTimeout<T>(work: Promise<T>, ms: number, message: string): Promise<T> {
  return pTimeout(work, { milliseconds: ms, message: new TimeoutError(message) });
}
