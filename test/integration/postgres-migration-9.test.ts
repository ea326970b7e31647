/**
 * Migration 9 (issue 18) on a database made before it: legacy facts migrated earlier (metadata kind
 * "fact", no reply) become notes, everything else stays an exchange at version 1, and the erase
 * tasks of a user keep working under the new key. Applied after 7 with 8 missing (8 is another
 * branch's): the runner applies whatever is not recorded.
 */
import { afterAll, expect, it } from "vitest";
import { dropDatabase, ensureDatabase } from "../../infra/local/services/postgres.js";
import { createPostgresPool } from "../../shared/tiers/postgres/client.js";
import { applyMigrations } from "../../shared/tiers/postgres/migrations.js";
import { testConfig } from "../helpers/config.js";

const config = testConfig();
const wsProxy = config.postgres.wsProxy ?? "";
const database = `hm_migration9_${crypto.randomUUID().replaceAll("-", "").slice(0, 12)}`;
const pool = createPostgresPool({
  ...config.postgres,
  url: await ensureDatabase(wsProxy, database),
  maxConnections: 2,
});
afterAll(async () => {
  await pool.end();
  await dropDatabase(wsProxy, database);
});

it("turns earlier legacy facts into notes and leaves exchanges as they were", async () => {
  expect(await applyMigrations(pool, { upTo: 7 })).toEqual([1, 2, 3, 4, 5, 6, 7]);
  await pool.query(
    `INSERT INTO users (id, exchange_count) VALUES ('t/u', 3);
     INSERT INTO exchanges (id, user_id, ordinal, user_message, bot_response, metadata, created_at) VALUES
       ('00000000-0000-4000-8000-000000000001', 't/u', 1, 'Hi', 'Hello', '{}', now()),
       ('00000000-0000-4000-8000-000000000002', 't/u', 2, 'Likes tea', '', '{"kind": "fact"}', now()),
       ('00000000-0000-4000-8000-000000000003', 't/u', 3, 'Said nothing back', '', '{}', now());
     INSERT INTO erase_tasks (user_id, tier) VALUES ('t/gone', 'redis');`,
  );
  const applied = await applyMigrations(pool);
  expect(applied).toContain(9);
  expect(applied).not.toContain(7);
  const { rows } = await pool.query<{ ordinal: string; kind: string; version: number }>(
    "SELECT ordinal, kind, version FROM exchanges ORDER BY ordinal",
  );
  expect(rows.map((r) => [Number(r.ordinal), r.kind, r.version])).toEqual([
    [1, "exchange", 1],
    [2, "note", 1],
    [3, "exchange", 1],
  ]);
  const tasks = await pool.query<{ exchange_id: string }>("SELECT exchange_id FROM erase_tasks");
  expect(tasks.rows).toEqual([{ exchange_id: "" }]);
  expect(await applyMigrations(pool)).toEqual([]);
});
