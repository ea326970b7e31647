/**
 * Versioned schema migrations, applied at start-up under an advisory lock so concurrent cold
 * starts do not race. Each migration runs in its own transaction and is recorded once.
 */
import type { Pool, PoolClient } from "@neondatabase/serverless";
import { withClient } from "./client.js";

interface Migration {
  version: number;
  name: string;
  sql: string;
}

const migrations: Migration[] = [
  {
    version: 1,
    name: "archive, summaries, outbox",
    sql: `
      CREATE EXTENSION IF NOT EXISTS btree_gin;

      CREATE TABLE users (
        id text PRIMARY KEY,
        exchange_count bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now()
      );

      CREATE TABLE exchanges (
        id uuid PRIMARY KEY,
        user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        ordinal bigint NOT NULL,
        user_message text NOT NULL,
        bot_response text NOT NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL,
        stored_at timestamptz NOT NULL DEFAULT now(),
        idempotency_key text,
        search tsvector GENERATED ALWAYS AS (
          to_tsvector('english', user_message || ' ' || bot_response)
        ) STORED,
        UNIQUE (user_id, ordinal),
        UNIQUE (user_id, idempotency_key)
      );
      CREATE INDEX exchanges_user_time ON exchanges (user_id, created_at DESC, ordinal DESC);
      -- btree_gin lets one index answer "this user's rows matching these words".
      CREATE INDEX exchanges_user_search ON exchanges USING gin (user_id, search);

      CREATE TABLE summaries (
        user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        window_index bigint NOT NULL,
        text text NOT NULL,
        exchange_ids uuid[] NOT NULL,
        start_at timestamptz NOT NULL,
        end_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, window_index)
      );

      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        exchange_id uuid NOT NULL REFERENCES exchanges (id) ON DELETE CASCADE,
        user_id text NOT NULL,
        tier text NOT NULL CHECK (tier IN ('redis', 'chroma', 'neo4j')),
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        available_at timestamptz NOT NULL DEFAULT now(),
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX outbox_due ON outbox (available_at, id);
      CREATE INDEX outbox_exchange ON outbox (exchange_id);
    `,
  },
  {
    version: 2,
    name: "api keys per tenant",
    sql: `
      CREATE TABLE api_keys (
        id text PRIMARY KEY,
        tenant_id text NOT NULL,
        name text NOT NULL,
        secret_hash bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      );
      CREATE INDEX api_keys_tenant ON api_keys (tenant_id);
    `,
  },
  {
    version: 3,
    name: "legacy migration runs and checkpoints",
    sql: `
      -- Which run wrote an exchange, so a rollback removes exactly that run's rows.
      ALTER TABLE exchanges ADD COLUMN migration_run uuid;
      CREATE INDEX exchanges_migration_run ON exchanges (migration_run, user_id) WHERE migration_run IS NOT NULL;

      CREATE TABLE migration_runs (
        id uuid PRIMARY KEY,
        state text NOT NULL CHECK (state IN ('running', 'completed', 'failed', 'validated', 'rolled_back')),
        options jsonb NOT NULL,
        integrity jsonb,
        error text,
        started_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      );

      -- One row per committed batch, written in the batch's own transaction: a crash loses no
      -- checkpoint of committed work and records none of uncommitted work.
      CREATE TABLE migration_batches (
        run_id uuid NOT NULL REFERENCES migration_runs (id) ON DELETE CASCADE,
        collection text NOT NULL,
        batch_index int NOT NULL,
        report jsonb NOT NULL,
        done_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (run_id, collection, batch_index)
      );
    `,
  },
  {
    version: 4,
    name: "speaker of an exchange",
    // Nullable, no default: a catalog change only, however many rows the table holds.
    sql: "ALTER TABLE exchanges ADD COLUMN speaker text;",
  },
  {
    version: 5,
    name: "erasure as a durable job",
    sql: `
      -- Who was erased, kept as a hash of the user id only: a migration never brings them back.
      CREATE TABLE erased_users (
        user_hash bytea PRIMARY KEY,
        erased_at timestamptz NOT NULL DEFAULT now()
      );

      -- What each projection tier still has to erase. A task is worked until the tier is clean, then
      -- once more (final) after projections in flight at the erase can have finished; then it goes,
      -- and the user id with it.
      CREATE TABLE erase_tasks (
        user_id text NOT NULL,
        tier text NOT NULL CHECK (tier IN ('redis', 'chroma', 'neo4j')),
        final boolean NOT NULL DEFAULT false,
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        available_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (user_id, tier)
      );
      CREATE INDEX erase_tasks_due ON erase_tasks (available_at);
    `,
  },
  {
    version: 6,
    name: "api key scopes and expiry",
    // Keys made before keep everything they could do, and never expire.
    sql: `
      ALTER TABLE api_keys
        ADD COLUMN scopes text[] NOT NULL DEFAULT '{read,write,erase}',
        ADD COLUMN expires_at timestamptz;
    `,
  },
  {
    version: 7,
    name: "sessions and agents",
    // Nullable, no default: catalog changes. The partial indexes serve scoped reads (newest first)
    // and the session listing; rows without a session or agent are not in them.
    sql: `
      ALTER TABLE exchanges ADD COLUMN session_id text, ADD COLUMN agent_id text;
      ALTER TABLE summaries ADD COLUMN session_id text, ADD COLUMN agent_id text;
      CREATE INDEX exchanges_user_session ON exchanges (user_id, session_id, created_at DESC, ordinal DESC)
        WHERE session_id IS NOT NULL;
      CREATE INDEX exchanges_user_agent ON exchanges (user_id, agent_id, created_at DESC, ordinal DESC)
        WHERE agent_id IS NOT NULL;
    `,
  },
  {
    version: 8,
    name: "metadata filters",
    // Equalities on metadata within one user (jsonb_path_ops: the smaller GIN, for @> and @@);
    // summaries keep the metadata all their window's exchanges share, for filtered semantic reads.
    sql: `
      CREATE INDEX exchanges_user_metadata ON exchanges USING gin (user_id, metadata jsonb_path_ops);
      ALTER TABLE summaries ADD COLUMN metadata jsonb NOT NULL DEFAULT '{}';
    `,
  },
  {
    version: 9,
    name: "notes, corrections and deleting one exchange",
    sql: `
      -- A constant default: a catalog change, however many rows. Legacy facts migrated before this
      -- (metadata kind "fact", no reply) become notes.
      ALTER TABLE exchanges
        ADD COLUMN kind text NOT NULL DEFAULT 'exchange' CHECK (kind IN ('exchange', 'note')),
        ADD COLUMN version int NOT NULL DEFAULT 1;
      UPDATE exchanges SET kind = 'note' WHERE metadata->>'kind' = 'fact' AND bot_response = '';
      CREATE INDEX exchanges_user_notes ON exchanges (user_id, created_at DESC, ordinal DESC) WHERE kind = 'note';

      -- The versions a correction replaced; they go with their exchange (a delete, a user's erase).
      CREATE TABLE exchange_versions (
        exchange_id uuid NOT NULL REFERENCES exchanges (id) ON DELETE CASCADE,
        version int NOT NULL,
        user_message text NOT NULL,
        bot_response text NOT NULL,
        speaker text,
        session_id text,
        agent_id text,
        metadata jsonb NOT NULL,
        changed_by text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (exchange_id, version)
      );

      -- Erase tasks of one exchange: '' is the whole user's task.
      ALTER TABLE erase_tasks ADD COLUMN exchange_id text NOT NULL DEFAULT '', ADD COLUMN window_index bigint;
      ALTER TABLE erase_tasks DROP CONSTRAINT erase_tasks_pkey, ADD PRIMARY KEY (user_id, tier, exchange_id);
    `,
  },
  {
    version: 10,
    name: "deleted exchanges stay deleted",
    // Only the ids of deleted exchanges: a migrated one has an id derived from its legacy record, so
    // a later run of the migration finds it here and does not import it again.
    sql: `
      CREATE TABLE erased_exchanges (
        exchange_id uuid PRIMARY KEY,
        erased_at timestamptz NOT NULL DEFAULT now()
      );
    `,
  },
  {
    version: 11,
    name: "bulk imports",
    // An import is a run of the migration engine (its batches, checkpoints and outbox rows), kind
    // 'import', owned by a tenant. The uploaded text is kept only until the import ends.
    sql: `
      ALTER TABLE migration_runs ADD COLUMN kind text NOT NULL DEFAULT 'migration'
        CHECK (kind IN ('migration', 'import'));
      CREATE TABLE imports (
        run_id uuid PRIMARY KEY REFERENCES migration_runs (id) ON DELETE CASCADE,
        tenant_id text NOT NULL,
        format text NOT NULL,
        body text,
        location text,
        units int,
        launched_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE INDEX imports_tenant ON imports (tenant_id, created_at DESC);
      CREATE INDEX imports_unlaunched ON imports (created_at) WHERE launched_at IS NULL;
    `,
  },
  {
    version: 12,
    name: "webhooks: endpoints, deliveries, tier incidents",
    // Secrets stay readable: signing needs them (an API key needs only its hash). A delivery names
    // the user and the exchange it carries, so an erase can take it away.
    sql: `
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY,
        tenant_id text NOT NULL,
        url text NOT NULL,
        description text NOT NULL DEFAULT '',
        events text[] NOT NULL,
        include_text boolean NOT NULL DEFAULT false,
        degraded_after_minutes int NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        secret text NOT NULL,
        previous_secret text,
        previous_secret_expires_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        last_attempt_at timestamptz,
        last_status text,
        last_response_status int,
        last_error text,
        failure_streak int NOT NULL DEFAULT 0,
        failing_since timestamptz
      );
      CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, created_at);

      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY,
        endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
        tenant_id text NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        payload text NOT NULL,
        user_id text,
        exchange_id uuid,
        dedupe_key text,
        status text NOT NULL DEFAULT 'pending',
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_attempt_at timestamptz,
        response_status int,
        error text,
        delivered_at timestamptz,
        -- Milliseconds, as a listing's cursor carries it (a JavaScript Date).
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp()),
        UNIQUE (endpoint_id, dedupe_key)
      );
      CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
      CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id, created_at DESC, id DESC);
      CREATE INDEX webhook_deliveries_user ON webhook_deliveries (user_id) WHERE user_id IS NOT NULL;
      CREATE INDEX webhook_deliveries_exchange ON webhook_deliveries (exchange_id) WHERE exchange_id IS NOT NULL;
      CREATE INDEX webhook_deliveries_done ON webhook_deliveries (created_at) WHERE status <> 'pending';

      CREATE TABLE tier_incidents (
        tier text NOT NULL,
        started_at timestamptz NOT NULL,
        last_failed_at timestamptz NOT NULL,
        ended_at timestamptz,
        error text,
        PRIMARY KEY (tier, started_at)
      );
      CREATE UNIQUE INDEX tier_incidents_open ON tier_incidents (tier) WHERE ended_at IS NULL;
    `,
  },
];

/**
 * Applies every migration not yet recorded, in list order (a version missing from a database, as
 * after a gap in the numbers is filled by a merge, is applied whenever it comes); returns the
 * versions it applied. `upTo`: only versions up to this one (tests of a migration's data change).
 */
export function applyMigrations(pool: Pool, options: { upTo?: number } = {}): Promise<number[]> {
  return withClient(pool, (client) => applyWith(client, options.upTo ?? Number.POSITIVE_INFINITY));
}

async function applyWith(client: PoolClient, upTo: number): Promise<number[]> {
  const applied: number[] = [];
  try {
    await client.query("SELECT pg_advisory_lock(7305)");
    await client.query(
      "CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())",
    );
    const done = await client.query<{ version: number }>("SELECT version FROM schema_migrations");
    const have = new Set(done.rows.map((r) => r.version));
    for (const migration of migrations.filter((m) => !have.has(m.version) && m.version <= upTo)) {
      await client.query("BEGIN");
      try {
        await client.query(migration.sql);
        await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [
          migration.version,
          migration.name,
        ]);
        await client.query("COMMIT");
        applied.push(migration.version);
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${migration.version} (${migration.name}) failed`, { cause: error });
      }
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock(7305)").catch(() => undefined);
  }
  return applied;
}
