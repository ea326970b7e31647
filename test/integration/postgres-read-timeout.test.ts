/**
 * Context reads carry a server-side statement_timeout (issue 17): a read the caller abandoned at the
 * context deadline does not keep Postgres busy for the 30 s client timeout; Postgres itself cancels
 * it. Writes go through a pool without that limit.
 */
import { afterAll, describe, expect, it } from "vitest";
import { createPostgresPool } from "../../shared/tiers/postgres/client.js";
import { testConfig } from "../helpers/config.js";

const config = testConfig({ HIERARCHICAL_MEMORY_POSTGRESQL_READ_TIMEOUT: "200" });
const reads = createPostgresPool(
  { ...config.postgres, maxConnections: 1 },
  { statementTimeoutMs: config.postgres.readTimeoutMs },
);
const writes = createPostgresPool({ ...config.postgres, maxConnections: 1 });
afterAll(() => Promise.all([reads.end(), writes.end()]));

describe("the read pool", () => {
  it("has Postgres cancel a statement running past the read timeout", async () => {
    const started = performance.now();
    const error = await reads.query("SELECT pg_sleep(5)").catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "57014" });
    expect(performance.now() - started).toBeLessThan(2_000);
    const { rows } = await reads.query<{ statement_timeout: string }>("SHOW statement_timeout");
    expect(rows[0]?.statement_timeout).toBe("200ms");
  });

  it("leaves the write pool without a statement limit", async () => {
    const { rows } = await writes.query<{ statement_timeout: string }>("SHOW statement_timeout");
    expect(rows[0]?.statement_timeout).toBe("0");
  });
});
