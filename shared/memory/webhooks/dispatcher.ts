/**
 * Works the delivery queue: claims due deliveries, signs each attempt, sends it, and records the
 * outcome: delivered on a 2xx; otherwise due again after an exponential backoff with jitter (at
 * least what the receiver's Retry-After asks, at most the cap), or failed after the last attempt.
 * Every attempt also counts for its endpoint's health, and a long enough failure streak disables
 * the endpoint. Run by the worker (memory.reconcile: every minute in the cloud, every 5 s under
 * `npm start`), and at once for a test ping or a redelivery.
 */
import pLimit from "p-limit";
import type {
  ClaimedDelivery,
  DisableRule,
  EndpointSigning,
  WebhookDeliveries,
  WebhookEndpoints,
} from "../../tiers/webhooks.js";
import type { Logger } from "../../util/logger.js";
import { signedHeaders } from "./signing.js";
import { DeliveryError, type WebhookTransport } from "./transport.js";

export interface DispatchSettings {
  timeoutMs: number;
  maxAttempts: number;
  retryBaseMs: number;
  retryCapMs: number;
  disable: DisableRule;
  retentionMs: number;
}

export interface DispatchReport {
  delivered: number;
  retried: number;
  failed: number;
  /** Endpoints this run disabled. */
  disabled: number;
}

export interface DispatcherDeps {
  endpoints: WebhookEndpoints;
  deliveries: WebhookDeliveries;
  transport: WebhookTransport;
  settings: DispatchSettings;
  logger: Logger;
  /** Default Math.random (the jitter). */
  random?: () => number;
}

/** Attempts sent at once. */
const concurrency = 8;
/** Finished deliveries older than the retention are pruned at most this often per process. */
const pruneEveryMs = 3_600_000;

/**
 * The wait after the `attempts`-th failed attempt: base, 2 x base, 4 x base ... up to the cap, each
 * between half and all of it (jitter, so a receiver that comes back is not hit by every retry at once).
 */
export function retryDelayMs(attempts: number, baseMs: number, capMs: number, random: () => number): number {
  const full = Math.min(capMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(full / 2 + (random() * full) / 2);
}

export interface DrainOptions {
  batchSize?: number;
  maxBatches?: number;
  budgetMs?: number;
}

const empty = (): DispatchReport => ({ delivered: 0, retried: 0, failed: 0, disabled: 0 });

export class WebhookDispatcher {
  readonly #deps: DispatcherDeps;
  readonly #limit = pLimit(concurrency);
  #prunedAt = 0;

  constructor(deps: DispatcherDeps) {
    this.#deps = deps;
  }

  /**
   * Works due deliveries, `batchSize` (25) at a time, until none are due, `maxBatches` (10) ran, or
   * `budgetMs` (45 s) has passed: the scheduled worker must end well within its Lambda's timeout
   * even when every receiver times out.
   */
  async drain(options: DrainOptions = {}): Promise<DispatchReport> {
    const report = empty();
    const batchSize = options.batchSize ?? 25;
    const deadline = Date.now() + (options.budgetMs ?? 45_000);
    for (let round = 0; round < (options.maxBatches ?? 10) && Date.now() < deadline; round++) {
      const claimed = await this.#deps.deliveries.claim(batchSize, this.#leaseMs);
      if (claimed.length > 0) add(report, await this.#attempt(claimed));
      // A short batch took all that was due: a retry due meanwhile waits for the next round.
      if (claimed.length < batchSize) break;
    }
    await this.#prune();
    return report;
  }

  /** Attempts these deliveries now, if they are due (a ping, a redelivery). */
  async deliver(ids: readonly string[]): Promise<DispatchReport> {
    const claimed = await this.#deps.deliveries.claim(ids.length, this.#leaseMs, { ids });
    return this.#attempt(claimed);
  }

  /** Long enough for an attempt to end before another worker may claim the delivery again. */
  get #leaseMs() {
    return this.#deps.settings.timeoutMs + 30_000;
  }

  async #attempt(claimed: readonly ClaimedDelivery[]): Promise<DispatchReport> {
    const report = empty();
    if (claimed.length === 0) return report;
    const signing = await this.#deps.endpoints.signing([...new Set(claimed.map((d) => d.endpointId))]);
    await Promise.all(
      claimed.map((d) =>
        this.#limit(async () => {
          const endpoint = signing.get(d.endpointId);
          // Deleted since (its deliveries went with it) or disabled since (its deliveries wait).
          if (!endpoint?.enabled) return;
          const outcome = await this.#send(d, endpoint);
          add(report, outcome);
        }),
      ),
    );
    return report;
  }

  async #send(d: ClaimedDelivery, endpoint: EndpointSigning): Promise<DispatchReport> {
    const { transport, settings, endpoints, deliveries, logger } = this.#deps;
    const outcome = empty();
    let status: number | undefined;
    let error: string | undefined;
    let retryAfterMs: number | undefined;
    try {
      const answer = await transport({
        url: endpoint.url,
        headers: signedHeaders(endpoint.secrets, d.eventId, d.payload),
        body: d.payload,
        timeoutMs: settings.timeoutMs,
      });
      status = answer.status;
      retryAfterMs = answer.retryAfterMs;
      if (status < 200 || status > 299) error = `HTTP ${status}`;
    } catch (caught) {
      error = caught instanceof DeliveryError ? caught.code : "failed";
    }
    const at = new Date();
    const result = { ok: error === undefined, at, responseStatus: status, error };
    if (await endpoints.recordAttempt(d.endpointId, result, settings.disable)) {
      outcome.disabled++;
      logger.warn("webhook endpoint disabled after a long failure streak", {
        endpointId: d.endpointId,
        error,
      });
    }
    if (result.ok) {
      await deliveries.delivered(d.id, result);
      outcome.delivered++;
    } else if (d.attempts >= settings.maxAttempts) {
      await deliveries.failed(d.id, result);
      outcome.failed++;
      logger.info("webhook delivery failed for good", { deliveryId: d.id, attempts: d.attempts, error });
    } else {
      const backoff = retryDelayMs(
        d.attempts,
        settings.retryBaseMs,
        settings.retryCapMs,
        this.#deps.random ?? Math.random,
      );
      const wait = Math.max(backoff, Math.min(retryAfterMs ?? 0, settings.retryCapMs));
      await deliveries.retry(d.id, new Date(at.getTime() + wait), result);
      outcome.retried++;
    }
    return outcome;
  }

  async #prune(): Promise<void> {
    const now = Date.now();
    if (now - this.#prunedAt < pruneEveryMs) return;
    this.#prunedAt = now;
    const pruned = await this.#deps.deliveries.prune(new Date(now - this.#deps.settings.retentionMs));
    if (pruned > 0) this.#deps.logger.debug("finished webhook deliveries pruned", { pruned });
  }
}

function add(into: DispatchReport, more: DispatchReport): void {
  into.delivered += more.delivered;
  into.retried += more.retried;
  into.failed += more.failed;
  into.disabled += more.disabled;
}
