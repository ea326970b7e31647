/** The TrafficLog port's contract (shared/tiers/traffic-log.ts), run against RedisTrafficLog and the in-memory one. */
import { beforeEach, describe, expect, it } from "vitest";
import type { TrafficLog } from "../../shared/tiers/traffic-log.js";

export interface TrafficLogFixture {
  /** A log with nothing recorded yet. */
  log: TrafficLog;
}

const minute = 60_000;
/** A fixed minute: an entry counts in the minute its `at` names, whenever it is recorded. */
const m0 = Math.floor(Date.UTC(2025, 5, 1, 12, 0) / minute) * minute;

export function trafficLogContract(name: string, make: () => Promise<TrafficLogFixture>) {
  describe(`TrafficLog contract: ${name}`, () => {
    let f: TrafficLogFixture;
    beforeEach(async () => {
      f = await make();
    });

    it("counts requests and server errors per minute, oldest first, empty minutes included", async () => {
      const ok = { status: 200, durationMs: 5, context: false };
      await f.log.record([{ ...ok, at: m0 + 1_000 }]);
      // One write may span minutes: each entry counts in its own.
      await f.log.record([
        { ...ok, status: 503, at: m0 + 2_000 },
        { ...ok, status: 500, at: m0 + 30_000 },
        { ...ok, at: m0 + 2 * minute },
        { ...ok, status: 404, at: m0 + 59_999 },
      ]);
      await f.log.record([]);
      const empty = { count: 0, p50Ms: undefined, p95Ms: undefined };
      expect(await f.log.read(4, m0 + 3 * minute + 10_000)).toEqual([
        { minute: new Date(m0).toISOString(), requests: 4, serverErrors: 2, context: empty },
        { minute: new Date(m0 + minute).toISOString(), requests: 0, serverErrors: 0, context: empty },
        { minute: new Date(m0 + 2 * minute).toISOString(), requests: 1, serverErrors: 0, context: empty },
        { minute: new Date(m0 + 3 * minute).toISOString(), requests: 0, serverErrors: 0, context: empty },
      ]);
      expect(await f.log.read(1, m0 + 59_000)).toEqual([
        { minute: new Date(m0).toISOString(), requests: 4, serverErrors: 2, context: empty },
      ]);
    });

    it("keeps context assembly latencies per minute: count, nearest-rank p50 and p95", async () => {
      const durations = [7, 19, 1, 12, 3, 20, 15, 2, 9, 11, 18, 4, 14, 6, 10, 17, 5, 13, 16, 8];
      await Promise.all(
        durations
          .slice(0, 10)
          .map((d) => f.log.record([{ status: 200, durationMs: d, context: true, at: m0 + d }])),
      );
      await f.log.record([
        ...durations.slice(10).map((d) => ({ status: 200, durationMs: d, context: true, at: m0 + d })),
        { status: 200, durationMs: 999, context: false, at: m0 + 500 },
        { status: 200, durationMs: 12.345, context: true, at: m0 + minute },
      ]);
      const [first, second] = await f.log.read(2, m0 + minute + 1);
      expect(first).toMatchObject({ requests: 21, context: { count: 20, p50Ms: 11, p95Ms: 20 } });
      expect(second).toMatchObject({ requests: 1, context: { count: 1, p50Ms: 12.3, p95Ms: 12.3 } });
    });
  });
}
