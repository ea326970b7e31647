/**
 * The console's traffic, written at most once a second: recording each request as it was served
 * cost every request one more Redis round trip, a fifth of the round trips of a context request and
 * ~0.8 ms of the API's CPU in the load benchmark's profile. What a process served since its last
 * write waits for a timer (unref'd: it never keeps a process alive) or for `maxEntries`; reading
 * writes it first, and `flush()` is called on close. A Lambda container frozen between invocations
 * writes its last second at the next one; one that is never invoked again loses it (the console's
 * chart, not a memory).
 */
import type { TrafficEntry, TrafficLog, TrafficMinute } from "./traffic-log.js";

export interface TrafficBufferOptions {
  /** How long an entry may wait to be written (default 1,000 ms). */
  flushMs?: number;
  /** Entries that are written at once, without waiting (default 500). */
  maxEntries?: number;
  /** A write that failed: its entries are dropped (the next ones are still written). */
  onError: (error: unknown) => void;
}

export class BufferedTrafficLog implements TrafficLog {
  readonly #log: TrafficLog;
  readonly #options: Required<TrafficBufferOptions>;
  #pending: TrafficEntry[] = [];
  #timer: NodeJS.Timeout | undefined;
  #writing: Promise<void> = Promise.resolve();

  constructor(log: TrafficLog, options: TrafficBufferOptions) {
    this.#log = log;
    this.#options = { flushMs: 1_000, maxEntries: 500, ...options };
  }

  async record(entries: readonly TrafficEntry[]): Promise<void> {
    this.#pending.push(...entries);
    if (this.#pending.length >= this.#options.maxEntries) await this.flush();
    else if (!this.#timer && this.#pending.length > 0) {
      this.#timer = setTimeout(() => void this.flush(), this.#options.flushMs);
      this.#timer.unref();
    }
  }

  async read(minutes: number, now?: number): Promise<TrafficMinute[]> {
    await this.flush();
    return this.#log.read(minutes, now);
  }

  /** Writes what waits, after any write in flight; resolves when both are done. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    const batch = this.#pending;
    this.#pending = [];
    if (batch.length > 0)
      this.#writing = this.#writing.then(() => this.#log.record(batch).catch(this.#options.onError));
    return this.#writing;
  }
}
