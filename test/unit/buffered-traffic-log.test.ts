/** BufferedTrafficLog: many served requests, one write; nothing waits longer than flushMs. */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { BufferedTrafficLog } from "../../shared/tiers/buffered-traffic-log.js";
import type { TrafficEntry } from "../../shared/tiers/traffic-log.js";
import { InMemoryTrafficLog } from "../in-memory/index.js";

const served = (n: number, at = Date.UTC(2025, 5, 1, 12, 0, 30)): TrafficEntry[] =>
  Array.from({ length: n }, (_, i) => ({ status: i === 0 ? 503 : 200, durationMs: 4, context: true, at }));

describe("BufferedTrafficLog", () => {
  let log: InMemoryTrafficLog;
  let writes: number;
  beforeEach(() => {
    vi.useFakeTimers();
    log = new InMemoryTrafficLog();
    writes = 0;
    const record = log.record.bind(log);
    log.record = (entries) => {
      writes++;
      return record(entries);
    };
  });
  afterEach(() => vi.useRealTimers());

  const minuteOf = async (at: number) => (await log.read(1, at))[0];

  it("writes what it was given once, when the first entry has waited flushMs", async () => {
    const buffer = new BufferedTrafficLog(log, { flushMs: 1_000, onError: () => undefined });
    const [first, second] = [served(1), served(2)];
    await buffer.record(first);
    await vi.advanceTimersByTimeAsync(600);
    await buffer.record(second);
    expect(writes).toBe(0);
    await vi.advanceTimersByTimeAsync(400);
    expect(writes).toBe(1);
    expect(await minuteOf(first[0]?.at ?? 0)).toMatchObject({ requests: 3, serverErrors: 2 });
    await vi.advanceTimersByTimeAsync(5_000);
    expect(writes).toBe(1);
  });

  it("writes at once when maxEntries wait", async () => {
    const buffer = new BufferedTrafficLog(log, { maxEntries: 3, onError: () => undefined });
    await buffer.record(served(2));
    expect(writes).toBe(0);
    await buffer.record(served(1));
    expect(writes).toBe(1);
  });

  it("reads what this process served, written first", async () => {
    const buffer = new BufferedTrafficLog(log, { onError: () => undefined });
    const entries = served(4);
    await buffer.record(entries);
    const [minute] = await buffer.read(1, entries[0]?.at);
    expect(minute).toMatchObject({ requests: 4, context: { count: 4 } });
  });

  it("reports a failed write and still writes the next entries", async () => {
    const failures: unknown[] = [];
    const buffer = new BufferedTrafficLog(log, { onError: (e) => failures.push(e) });
    const record = log.record;
    log.record = () => Promise.reject(new Error("redis down"));
    await buffer.record(served(2));
    await buffer.flush();
    expect(failures).toEqual([new Error("redis down")]);
    log.record = record;
    const entries = served(1);
    await buffer.record(entries);
    await buffer.flush();
    expect(await minuteOf(entries[0]?.at ?? 0)).toMatchObject({ requests: 1 });
  });
});
