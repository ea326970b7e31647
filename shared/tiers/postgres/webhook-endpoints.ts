/**
 * Webhook endpoints in Postgres (the WebhookEndpoints port): one row per endpoint, with its secret
 * (and the one a rotation replaced, until it expires) and its latest attempt's outcome. Every query
 * a tenant makes names the tenant, so another tenant's id finds nothing.
 */
import type { Pool } from "@neondatabase/serverless";
import {
  type EndpointSettings,
  maxEndpointsPerTenant,
  type WebhookEndpoint,
  type WebhookEventType,
} from "../../domain/webhooks.js";
import { ConflictError } from "../../errors/memory-error.js";
import {
  type AttemptOutcome,
  type DisableRule,
  type EndpointSigning,
  isWebhookId,
  newWebhookSecret,
  type WebhookEndpoints,
} from "../webhooks.js";
import { guard, type Queryable } from "./client.js";

interface Row {
  id: string;
  tenant_id: string;
  url: string;
  description: string;
  events: WebhookEventType[];
  include_text: boolean;
  degraded_after_minutes: number;
  enabled: boolean;
  disabled_reason: string | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
  last_attempt_at: Date | null;
  last_status: "delivered" | "failed" | null;
  last_response_status: number | null;
  last_error: string | null;
  failure_streak: number;
  failing_since: Date | null;
}

const columns = `id, tenant_id, url, description, events, include_text, degraded_after_minutes, enabled,
  disabled_reason, previous_secret_expires_at, created_at, updated_at, last_attempt_at, last_status,
  last_response_status, last_error, failure_streak, failing_since`;

const date = (d: Date | null) => (d ? new Date(d) : null);

const toEndpoint = (r: Row): WebhookEndpoint => ({
  id: r.id,
  tenantId: r.tenant_id,
  url: r.url,
  description: r.description,
  events: r.events,
  includeText: r.include_text,
  degradedAfterMinutes: r.degraded_after_minutes,
  enabled: r.enabled,
  disabledReason: r.disabled_reason,
  createdAt: new Date(r.created_at),
  updatedAt: new Date(r.updated_at),
  previousSecretExpiresAt: date(r.previous_secret_expires_at),
  health: {
    lastAttemptAt: date(r.last_attempt_at),
    lastStatus: r.last_status,
    lastResponseStatus: r.last_response_status,
    lastError: r.last_error,
    failureStreak: r.failure_streak,
    failingSince: date(r.failing_since),
  },
});

/** Settings to columns, in one order: url, description, events, include_text, degraded_after_minutes, enabled. */
const settingColumns = [
  ["url", "url"],
  ["description", "description"],
  ["events", "events"],
  ["includeText", "include_text"],
  ["degradedAfterMinutes", "degraded_after_minutes"],
  ["enabled", "enabled"],
] as const satisfies readonly (readonly [keyof EndpointSettings, string])[];

export class PostgresWebhookEndpoints implements WebhookEndpoints {
  readonly #db: Queryable;

  constructor(pool: Pool) {
    this.#db = guard(pool);
  }

  async create(tenantId: string, settings: EndpointSettings) {
    const secret = newWebhookSecret();
    // The count and the insert in one statement: two tenants never wait on each other.
    const { rows } = await this.#db.query<Row>(
      `INSERT INTO webhook_endpoints (id, tenant_id, secret, url, description, events, include_text, degraded_after_minutes, enabled)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
        WHERE (SELECT count(*) FROM webhook_endpoints WHERE tenant_id = $2) < $10
       RETURNING ${columns}`,
      [
        crypto.randomUUID(),
        tenantId,
        secret,
        ...settingColumns.map(([field]) => settings[field]),
        maxEndpointsPerTenant,
      ],
    );
    const row = rows[0];
    if (!row)
      throw new ConflictError(
        `a tenant has at most ${maxEndpointsPerTenant} webhook endpoints; delete one first`,
      );
    return { endpoint: toEndpoint(row), secret };
  }

  async list(tenantId?: string): Promise<WebhookEndpoint[]> {
    const { rows } = await this.#db.query<Row>(
      `SELECT ${columns} FROM webhook_endpoints WHERE $1::text IS NULL OR tenant_id = $1 ORDER BY created_at, id`,
      [tenantId ?? null],
    );
    return rows.map(toEndpoint);
  }

  async get(tenantId: string, id: string): Promise<WebhookEndpoint | undefined> {
    if (!isWebhookId(id)) return undefined;
    const { rows } = await this.#db.query<Row>(
      `SELECT ${columns} FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return rows[0] && toEndpoint(rows[0]);
  }

  async update(tenantId: string, id: string, patch: Partial<EndpointSettings>) {
    if (!isWebhookId(id)) return undefined;
    const sets: string[] = [];
    const values: unknown[] = [tenantId, id];
    for (const [field, column] of settingColumns)
      if (patch[field] !== undefined) {
        values.push(patch[field]);
        sets.push(`${column} = $${values.length}`);
      }
    // Enabling (again) starts over: no reason to be disabled, no streak.
    if (patch.enabled === true) sets.push("disabled_reason = NULL, failure_streak = 0, failing_since = NULL");
    const { rows } = await this.#db.query<Row>(
      `UPDATE webhook_endpoints SET ${[...sets, "updated_at = clock_timestamp()"].join(", ")}
        WHERE tenant_id = $1 AND id = $2 RETURNING ${columns}`,
      values,
    );
    return rows[0] && toEndpoint(rows[0]);
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    if (!isWebhookId(id)) return false;
    const { rowCount } = await this.#db.query(
      "DELETE FROM webhook_endpoints WHERE tenant_id = $1 AND id = $2",
      [tenantId, id],
    );
    return (rowCount ?? 0) > 0;
  }

  async rotateSecret(tenantId: string, id: string, previousUntil: Date) {
    if (!isWebhookId(id)) return undefined;
    const secret = newWebhookSecret();
    const { rows } = await this.#db.query<Row>(
      `UPDATE webhook_endpoints
          SET previous_secret = CASE WHEN $4::timestamptz > now() THEN secret END,
              previous_secret_expires_at = CASE WHEN $4::timestamptz > now() THEN $4::timestamptz END,
              secret = $3, updated_at = clock_timestamp()
        WHERE tenant_id = $1 AND id = $2 RETURNING ${columns}`,
      [tenantId, id, secret, previousUntil],
    );
    return rows[0] && { endpoint: toEndpoint(rows[0]), secret };
  }

  async subscribers(event: WebhookEventType, tenantId?: string): Promise<WebhookEndpoint[]> {
    const { rows } = await this.#db.query<Row>(
      `SELECT ${columns} FROM webhook_endpoints
        WHERE enabled AND $1 = ANY(events) AND ($2::text IS NULL OR tenant_id = $2) ORDER BY created_at, id`,
      [event, tenantId ?? null],
    );
    return rows.map(toEndpoint);
  }

  async signing(ids: readonly string[]): Promise<Map<string, EndpointSigning>> {
    const found = new Map<string, EndpointSigning>();
    const valid = ids.filter(isWebhookId);
    if (valid.length === 0) return found;
    const { rows } = await this.#db.query<{
      id: string;
      url: string;
      enabled: boolean;
      secret: string;
      previous: string | null;
    }>(
      `SELECT id, url, enabled, secret,
              CASE WHEN previous_secret_expires_at > now() THEN previous_secret END AS previous
         FROM webhook_endpoints WHERE id = ANY($1::uuid[])`,
      [valid],
    );
    for (const r of rows)
      found.set(r.id, {
        url: r.url,
        enabled: r.enabled,
        secrets: r.previous ? [r.secret, r.previous] : [r.secret],
      });
    return found;
  }

  async recordAttempt(id: string, outcome: AttemptOutcome, disable?: DisableRule): Promise<boolean> {
    const status = outcome.ok ? "delivered" : "failed";
    const error = outcome.ok ? null : (outcome.error ?? "failed").slice(0, 500);
    const { rows } = await this.#db.query<{ disabled: boolean }>(
      `WITH before AS (SELECT enabled FROM webhook_endpoints WHERE id = $1)
       UPDATE webhook_endpoints e SET
          last_attempt_at = $2, last_status = $3, last_response_status = $4, last_error = $5,
          failure_streak = CASE WHEN $6 THEN 0 ELSE e.failure_streak + 1 END,
          failing_since = CASE WHEN $6 THEN NULL ELSE coalesce(e.failing_since, $2) END,
          enabled = e.enabled AND NOT ($7::int IS NOT NULL AND NOT $6 AND e.failure_streak + 1 >= $7
                    AND coalesce(e.failing_since, $2) <= $2::timestamptz - make_interval(secs => $8::float8 / 1000)),
          disabled_reason = CASE
            WHEN e.enabled AND $7::int IS NOT NULL AND NOT $6 AND e.failure_streak + 1 >= $7
                 AND coalesce(e.failing_since, $2) <= $2::timestamptz - make_interval(secs => $8::float8 / 1000)
            THEN format('disabled after %s failed attempts in a row since %s', e.failure_streak + 1,
                        to_char(coalesce(e.failing_since, $2) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))
            ELSE e.disabled_reason END
        FROM before WHERE e.id = $1
        RETURNING before.enabled AND NOT e.enabled AS disabled`,
      [
        id,
        outcome.at,
        status,
        outcome.responseStatus ?? null,
        error,
        outcome.ok,
        disable && disable.afterFailures > 0 ? disable.afterFailures : null,
        disable?.afterMs ?? 0,
      ],
    );
    return rows[0]?.disabled === true;
  }
}
