/**
 * The queue of webhook deliveries in Postgres (the WebhookDeliveries port), worked like the outbox:
 * due rows of enabled endpoints are claimed with a lease (SKIP LOCKED, so workers never block each
 * other; a crashed worker's rows come back when the lease ends), and each attempt ends delivered,
 * due again later, or failed. Finished rows stay for the deliveries listing until pruned.
 */
import type { Pool } from "@neondatabase/serverless";
import type { DeliveredEventType, DeliveryStatus, WebhookDelivery } from "../../domain/webhooks.js";
import {
  type AttemptOutcome,
  type ClaimedDelivery,
  type DeliveryPage,
  isWebhookId,
  type NewDelivery,
  type WebhookDeliveries,
} from "../webhooks.js";
import { guard, type Queryable } from "./client.js";

interface Row {
  id: string;
  endpoint_id: string;
  tenant_id: string;
  event_id: string;
  event_type: DeliveredEventType;
  status: DeliveryStatus;
  attempts: number;
  created_at: Date;
  next_attempt_at: Date;
  last_attempt_at: Date | null;
  response_status: number | null;
  error: string | null;
  delivered_at: Date | null;
  payload: string;
}

const columns = `id, endpoint_id, tenant_id, event_id, event_type, status, attempts, created_at, next_attempt_at,
  last_attempt_at, response_status, error, delivered_at, payload`;

const date = (d: Date | null) => (d ? new Date(d) : null);

const toDelivery = (r: Row): WebhookDelivery => ({
  id: r.id,
  endpointId: r.endpoint_id,
  tenantId: r.tenant_id,
  eventId: r.event_id,
  eventType: r.event_type,
  status: r.status,
  attempts: r.attempts,
  createdAt: new Date(r.created_at),
  nextAttemptAt: r.status === "pending" ? new Date(r.next_attempt_at) : null,
  lastAttemptAt: date(r.last_attempt_at),
  responseStatus: r.response_status,
  error: r.error,
  deliveredAt: date(r.delivered_at),
  payload: r.payload,
});

const errorText = (outcome: AttemptOutcome) => (outcome.error ?? "failed").slice(0, 500);

export class PostgresWebhookDeliveries implements WebhookDeliveries {
  readonly #db: Queryable;

  constructor(pool: Pool) {
    this.#db = guard(pool);
  }

  async enqueue(deliveries: readonly NewDelivery[]): Promise<string[]> {
    if (deliveries.length === 0) return [];
    const { rows } = await this.#db.query<{ id: string }>(
      `INSERT INTO webhook_deliveries (id, endpoint_id, tenant_id, event_id, event_type, payload, user_id, exchange_id, dedupe_key)
       SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::uuid[], $9::text[])
       ON CONFLICT (endpoint_id, dedupe_key) DO NOTHING
       RETURNING id`,
      [
        deliveries.map(() => crypto.randomUUID()),
        deliveries.map((d) => d.endpointId),
        deliveries.map((d) => d.tenantId),
        deliveries.map((d) => d.eventId),
        deliveries.map((d) => d.eventType),
        deliveries.map((d) => d.payload),
        deliveries.map((d) => d.userId ?? null),
        deliveries.map((d) => d.exchangeId ?? null),
        deliveries.map((d) => d.dedupeKey ?? null),
      ],
    );
    return rows.map((r) => r.id);
  }

  async claim(
    limit: number,
    leaseMs: number,
    only: { ids?: readonly string[] } = {},
  ): Promise<ClaimedDelivery[]> {
    const ids = only.ids?.filter(isWebhookId);
    if (ids && ids.length === 0) return [];
    const { rows } = await this.#db.query<Row & { exchange_id: string | null }>(
      `UPDATE webhook_deliveries SET next_attempt_at = now() + make_interval(secs => $2::float8 / 1000),
              attempts = attempts + 1
        WHERE id IN (
          SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
           WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND e.enabled
             AND ($3::uuid[] IS NULL OR d.id = ANY($3))
           ORDER BY d.next_attempt_at, d.created_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED)
        RETURNING id, endpoint_id, event_id, event_type, payload, attempts, exchange_id`,
      [limit, leaseMs, ids ?? null],
    );
    return rows.map((r) => ({
      id: r.id,
      endpointId: r.endpoint_id,
      eventId: r.event_id,
      eventType: r.event_type,
      payload: r.payload,
      attempts: r.attempts,
      exchangeId: r.exchange_id,
    }));
  }

  async delivered(id: string, outcome: AttemptOutcome): Promise<void> {
    await this.#db.query(
      `UPDATE webhook_deliveries SET status = 'delivered', delivered_at = $2, last_attempt_at = $2,
              response_status = $3, error = NULL WHERE id = $1`,
      [id, outcome.at, outcome.responseStatus ?? null],
    );
  }

  async retry(id: string, nextAt: Date, outcome: AttemptOutcome): Promise<void> {
    await this.#db.query(
      `UPDATE webhook_deliveries SET next_attempt_at = $2, last_attempt_at = $3, response_status = $4, error = $5
        WHERE id = $1 AND status = 'pending'`,
      [id, nextAt, outcome.at, outcome.responseStatus ?? null, errorText(outcome)],
    );
  }

  async failed(id: string, outcome: AttemptOutcome): Promise<void> {
    await this.#db.query(
      `UPDATE webhook_deliveries SET status = 'failed', last_attempt_at = $2, response_status = $3, error = $4
        WHERE id = $1`,
      [id, outcome.at, outcome.responseStatus ?? null, errorText(outcome)],
    );
  }

  async list(tenantId: string, endpointId: string, page: DeliveryPage): Promise<WebhookDelivery[]> {
    if (!isWebhookId(endpointId)) return [];
    const { rows } = await this.#db.query<Row>(
      `SELECT ${columns} FROM webhook_deliveries
        WHERE tenant_id = $1 AND endpoint_id = $2 AND ($3::text IS NULL OR status = $3)
          AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5::uuid))
        ORDER BY created_at DESC, id DESC LIMIT $6`,
      [
        tenantId,
        endpointId,
        page.status ?? null,
        page.before?.createdAt ?? null,
        page.before?.id ?? null,
        page.limit,
      ],
    );
    return rows.map(toDelivery);
  }

  async get(tenantId: string, endpointId: string, id: string): Promise<WebhookDelivery | undefined> {
    if (!isWebhookId(endpointId) || !isWebhookId(id)) return undefined;
    const { rows } = await this.#db.query<Row>(
      `SELECT ${columns} FROM webhook_deliveries WHERE tenant_id = $1 AND endpoint_id = $2 AND id = $3`,
      [tenantId, endpointId, id],
    );
    return rows[0] && toDelivery(rows[0]);
  }

  async redeliver(tenantId: string, endpointId: string, id: string): Promise<WebhookDelivery | undefined> {
    if (!isWebhookId(endpointId) || !isWebhookId(id)) return undefined;
    const { rows } = await this.#db.query<Row>(
      `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), delivered_at = NULL
        WHERE tenant_id = $1 AND endpoint_id = $2 AND id = $3 RETURNING ${columns}`,
      [tenantId, endpointId, id],
    );
    return rows[0] && toDelivery(rows[0]);
  }

  async forgetUser(userId: string): Promise<number> {
    const { rowCount } = await this.#db.query("DELETE FROM webhook_deliveries WHERE user_id = $1", [userId]);
    return rowCount ?? 0;
  }

  async forgetExchange(exchangeId: string): Promise<number> {
    if (!isWebhookId(exchangeId)) return 0;
    const { rowCount } = await this.#db.query("DELETE FROM webhook_deliveries WHERE exchange_id = $1", [
      exchangeId,
    ]);
    return rowCount ?? 0;
  }

  async prune(before: Date): Promise<number> {
    const { rowCount } = await this.#db.query(
      "DELETE FROM webhook_deliveries WHERE status <> 'pending' AND created_at < $1",
      [before],
    );
    return rowCount ?? 0;
  }

  async pending(): Promise<Map<string, number>> {
    const { rows } = await this.#db.query<{ endpoint_id: string; n: string }>(
      "SELECT endpoint_id, count(*) AS n FROM webhook_deliveries WHERE status = 'pending' GROUP BY endpoint_id",
    );
    return new Map(rows.map((r) => [r.endpoint_id, Number(r.n)]));
  }
}
