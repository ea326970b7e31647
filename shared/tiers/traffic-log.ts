/**
 * Port: traffic for the operator console, per minute: requests, server errors and the latencies of
 * context assembly, kept for two hours. Implemented by RedisTrafficLog; a process writes through
 * BufferedTrafficLog, so many requests cost one write.
 */

export interface TrafficEntry {
  status: number;
  durationMs: number;
  /** A context assembly, whose latency is kept. */
  context: boolean;
  /** When it was served, ms since the epoch: it counts in that minute, whenever it is written. */
  at: number;
}

export interface TrafficMinute {
  /** Start of the minute, ISO 8601. */
  minute: string;
  requests: number;
  serverErrors: number;
  context: { count: number; p50Ms?: number; p95Ms?: number };
}

export interface TrafficLog {
  /** Served requests, in one write. */
  record(entries: readonly TrafficEntry[]): Promise<void>;
  /** The last `minutes` minutes, oldest first, empty minutes included. */
  read(minutes: number, now?: number): Promise<TrafficMinute[]>;
}

/** How long a minute is kept: two hours. */
export const trafficKeepSeconds = 2 * 60 * 60;
/** Latencies kept per minute, at most (the newest). */
export const latenciesPerMinute = 1000;
