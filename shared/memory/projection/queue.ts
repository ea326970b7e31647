/**
 * The store path's background projections. Stored exchanges wait here by user and are applied a
 * user at a time, a few users at once: under a burst, a user's exchanges that waited together cost
 * one window rewrite and one graph transaction, and the projections never take more than
 * `concurrency` lanes of this process (and of the stores) from the reads. When `capacity` exchanges
 * wait, more are refused; their outbox rows stay due for the worker.
 */
import type { Exchange } from "../../domain/types.js";

interface Waiting<R> {
  exchange: Exchange;
  resolve: (report: R) => void;
  reject: (error: unknown) => void;
}

export class ProjectionQueue<R> {
  readonly #apply: (exchanges: Exchange[]) => Promise<R>;
  readonly #concurrency: number;
  readonly #capacity: number;
  /** By user, in the order users arrived: a user served goes to the back of the line. */
  readonly #waiting = new Map<string, Waiting<R>[]>();
  /** Users with a batch in flight: a user's next batch waits for it (its windows build on it). */
  readonly #busy = new Set<string>();
  #size = 0;
  /** Callers of idle() waiting for the queue to empty. */
  readonly #idleWaiters: (() => void)[] = [];

  constructor(
    apply: (exchanges: Exchange[]) => Promise<R>,
    { concurrency, capacity }: { concurrency: number; capacity: number },
  ) {
    this.#apply = apply;
    this.#concurrency = Math.max(1, concurrency);
    this.#capacity = capacity;
  }

  /** Exchanges waiting (not yet in flight). */
  get size(): number {
    return this.#size;
  }

  /** Resolves once nothing waits and nothing is in flight (e.g. before a shutdown or a check). */
  idle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  #isIdle() {
    return this.#size === 0 && this.#busy.size === 0;
  }

  /** What applying the batch this exchange joined gave; undefined when the queue is full. */
  offer(exchange: Exchange): Promise<R> | undefined {
    if (this.#size >= this.#capacity) return undefined;
    const { promise, resolve, reject } = Promise.withResolvers<R>();
    const mine = this.#waiting.get(exchange.userId) ?? [];
    mine.push({ exchange, resolve, reject });
    this.#waiting.set(exchange.userId, mine);
    this.#size++;
    this.#pump();
    return promise;
  }

  #pump() {
    while (this.#busy.size < this.#concurrency) {
      const userId = [...this.#waiting.keys()].find((u) => !this.#busy.has(u));
      if (userId === undefined) return;
      const batch = this.#waiting.get(userId) ?? [];
      this.#waiting.delete(userId);
      this.#size -= batch.length;
      this.#busy.add(userId);
      this.#apply(batch.map((w) => w.exchange))
        .then(
          (report) => {
            for (const w of batch) w.resolve(report);
          },
          (error: unknown) => {
            for (const w of batch) w.reject(error);
          },
        )
        .finally(() => {
          this.#busy.delete(userId);
          this.#pump();
          if (this.#isIdle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
        });
    }
  }
}
