/**
 * The tiers' readiness and health: preparing them (schema migrations, collections, constraints; at
 * start-up or deploy), testing their connectivity on demand, and what live traffic has seen.
 */
import type { ProjectionTier } from "../domain/tiers.js";
import { describeError, TierUnavailableError } from "../errors/memory-error.js";
import { testTierConnectivity } from "../tiers/connectivity.js";
import type { Erasures } from "../tiers/erasures.js";
import { tierFailureCode } from "../tiers/failures.js";
import type { Outbox } from "../tiers/outbox.js";
import type { TierConnectivity, TierProbe, TierSetup } from "../tiers/probe.js";
import type { Logger } from "../util/logger.js";
import { round2 } from "../util/stats.js";
import type { TierHealth, TierHealthTracker } from "./health.js";

export type { TierConnectivity };

export interface HealthStatus {
  mode: "durable" | "cache-only";
  tiers: TierHealth[];
  outboxBacklog?: Record<ProjectionTier, number>;
  /** Erase tasks per tier not yet ended (first passes and final passes to come). */
  eraseBacklog?: Record<ProjectionTier, number>;
}

/**
 * The service as a whole: down when the tier holding the truth (Postgres, or Redis in cache-only
 * mode) does not answer, degraded when another does not, ok otherwise.
 */
export function overallStatus(results: readonly TierConnectivity[], mode: HealthStatus["mode"]) {
  const primary = mode === "durable" ? "postgres" : "redis";
  if (!results.find((r) => r.tier === primary)?.ok) return "down" as const;
  return results.every((r) => r.ok) ? ("ok" as const) : ("degraded" as const);
}

/** How long one round of pings answers anonymous health and readiness. */
const pingsServeMs = 15_000;
/** A ping slower than this counts as a failure. */
const pingTimeoutMs = 2_000;

export interface HealthDeps {
  setup: readonly TierSetup[];
  probes: readonly TierProbe[];
  outbox?: Outbox;
  erasures?: Erasures;
  tracker: TierHealthTracker;
  logger: Logger;
}

export class HealthService {
  readonly #deps: HealthDeps;
  #pinged?: { at: number; results: Promise<TierConnectivity[]> };

  constructor(deps: HealthDeps) {
    this.#deps = deps;
  }

  get mode(): HealthStatus["mode"] {
    return this.#deps.tracker.isEnabled("postgres") ? "durable" : "cache-only";
  }

  /**
   * Prepares every enabled tier. A projection tier that fails is reported (the outbox repairs it
   * later); Postgres failing throws TierUnavailableError, since nothing can be stored without it.
   */
  async initialize(): Promise<TierConnectivity[]> {
    const { setup, tracker, logger } = this.#deps;
    const results = await Promise.all(
      setup.map(async (step): Promise<TierConnectivity & { cause?: unknown }> => {
        const started = performance.now();
        try {
          await tracker.track(step.tier, () => step.run());
          return { tier: step.tier, ok: true, latencyMs: round2(performance.now() - started) };
        } catch (error) {
          const latencyMs = round2(performance.now() - started);
          return { tier: step.tier, ok: false, latencyMs, error: tierFailureCode(error), cause: error };
        }
      }),
    );
    for (const r of results)
      if (!r.ok)
        logger.warn("tier not prepared", { tier: r.tier, code: r.error, cause: describeError(r.cause) });
    const postgres = results.find((r) => r.tier === "postgres" && !r.ok);
    if (postgres)
      throw new TierUnavailableError("postgres", {
        cause: postgres.cause,
        failed: "it could not be prepared",
      });
    return results.map(({ cause: _, ...r }) => r);
  }

  /** Each tier's write/read/delete round trip now, each bounded by `timeoutMs` (default 5 s). */
  async testConnectivity(timeoutMs?: number): Promise<TierConnectivity[]> {
    const { probes, tracker, logger } = this.#deps;
    const causes = new Map<string, unknown>();
    // Asked for explicitly, so every failure is logged with its cause; the result carries only its code.
    const results = await testTierConnectivity(probes, timeoutMs, (tier, error) => {
      causes.set(tier, error);
      logger.warn("connectivity test failed", {
        tier,
        code: tierFailureCode(error),
        cause: describeError(error),
      });
    });
    for (const r of results) tracker.record(r.tier, r.latencyMs, r.ok ? undefined : causes.get(r.tier));
    return results;
  }

  /**
   * Whether each tier answers a read-only ping, from one round shared by every caller for 15 s: what
   * anonymous health and readiness answer from, so no stranger can make the service write, or work
   * harder than one ping per tier that often.
   */
  pings(now = Date.now()): Promise<TierConnectivity[]> {
    if (this.#pinged && now - this.#pinged.at < pingsServeMs) return this.#pinged.results;
    const { probes, tracker } = this.#deps;
    const results = testTierConnectivity(
      probes,
      pingTimeoutMs,
      (tier, error) => tracker.record(tier, pingTimeoutMs, error),
      "ping",
    );
    this.#pinged = { at: now, results };
    return results;
  }

  async status(): Promise<HealthStatus> {
    const { outbox, erasures, tracker, logger } = this.#deps;
    const unknown = (what: string) => (error: unknown) => {
      logger.warn(`${what} unknown`, { cause: describeError(error) });
      return undefined;
    };
    const [outboxBacklog, eraseBacklog] = await Promise.all([
      outbox?.backlog().catch(unknown("outbox backlog")),
      erasures?.pending().catch(unknown("erase backlog")),
    ]);
    return { mode: this.mode, tiers: tracker.snapshot(), outboxBacklog, eraseBacklog };
  }
}
