/** Races work against a shared deadline without ever waiting past it. */
import { round2 } from "../../util/stats.js";

export type Outcome<T> =
  | { status: "ok"; value: T; ms: number }
  | { status: "error"; error: unknown; ms: number }
  | { status: "late"; ms: number };

export function withinDeadline<T>(
  work: () => Promise<T>,
  deadline: Promise<void>,
  started: number,
): Promise<Outcome<T>> {
  const ms = () => round2(performance.now() - started);
  let promise: Promise<T>;
  try {
    promise = work();
  } catch (error) {
    promise = Promise.reject(error);
  }
  return Promise.race([
    promise.then(
      (value) => ({ status: "ok" as const, value, ms: ms() }),
      (error: unknown) => ({ status: "error" as const, error, ms: ms() }),
    ),
    deadline.then(() => ({ status: "late" as const, ms: ms() })),
  ]);
}

/** A promise that resolves after `ms`, and a way to cancel its timer once everything has answered. */
export function deadlineAfter(ms: number): { reached: Promise<void>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const reached = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  return { reached, cancel: () => clearTimeout(timer) };
}
