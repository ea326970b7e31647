/** The ImportStore port's contract (shared/tiers/imports.ts), against PostgresImports and the in-memory one. */
import { beforeEach, describe, expect, it } from "vitest";
import type { ImportStore, NewImport } from "../../shared/tiers/imports.js";
import type { MigrationRunStore } from "../../shared/tiers/migration-runs.js";
import { sleep } from "./fixture.js";

export interface ImportsFixture {
  /** No imports and no runs yet. */
  imports: ImportStore;
  /** The run store over the same tables: an import's state and checkpoints are a run's. */
  runs: MigrationRunStore;
}

const newImport = (tenantId: string, extra: Partial<NewImport> = {}): NewImport => ({
  id: crypto.randomUUID(),
  tenantId,
  format: "ndjson",
  options: { tenant: tenantId, batchSize: 100 },
  body: '{"userId":"u1"}\n',
  units: 1,
  ...extra,
});

export function importsContract(name: string, make: () => Promise<ImportsFixture>) {
  describe(`ImportStore contract: ${name}`, () => {
    let f: ImportsFixture;
    beforeEach(async () => {
      f = await make();
    });

    it("creates a running import whose state is its run's", async () => {
      const entry = newImport("t1");
      await f.imports.create(entry);
      const got = await f.imports.get("t1", entry.id);
      expect(got).toMatchObject({
        id: entry.id,
        tenantId: "t1",
        format: "ndjson",
        state: "running",
        options: entry.options,
        report: null,
        error: null,
        location: null,
        hasBody: true,
        units: 1,
        launchedAt: null,
      });
      await f.runs.setState(entry.id, "completed", { integrity: { score: 1 }, error: null });
      expect(await f.imports.get("t1", entry.id)).toMatchObject({ state: "completed", report: { score: 1 } });
    });

    it("never shows one tenant's import to another", async () => {
      const entry = newImport("t1");
      await f.imports.create(entry);
      expect(await f.imports.get("t2", entry.id)).toBeUndefined();
      expect(await f.imports.list("t2", 10)).toEqual([]);
      expect(await f.imports.get("t1", crypto.randomUUID())).toBeUndefined();
      expect(await f.imports.get("t1", "not-a-uuid")).toBeUndefined();
    });

    it("lists a tenant's imports newest first, up to the limit", async () => {
      const first = newImport("t1");
      await f.imports.create(first);
      await sleep(5);
      const second = newImport("t1", { body: undefined, location: "/tmp/x.ndjson", units: undefined });
      await f.imports.create(second);
      expect((await f.imports.list("t1", 10)).map((e) => e.id)).toEqual([second.id, first.id]);
      expect((await f.imports.list("t1", 1)).map((e) => e.id)).toEqual([second.id]);
      await sleep(5);
      const other = newImport("t2");
      await f.imports.create(other);
      expect((await f.imports.recent(10)).map((e) => e.id)).toEqual([other.id, second.id, first.id]);
      expect((await f.imports.recent(2)).map((e) => e.id)).toEqual([other.id, second.id]);
      expect(await f.imports.get("t1", second.id)).toMatchObject({
        location: "/tmp/x.ndjson",
        hasBody: false,
        units: null,
      });
    });

    it("is not a migration: the run store's listings leave imports out", async () => {
      const entry = newImport("t1");
      await f.imports.create(entry);
      expect((await f.runs.get(entry.id))?.state).toBe("running");
      expect((await f.runs.list(10)).map((r) => r.id)).not.toContain(entry.id);
      expect((await f.runs.summaries(10)).map((s) => s.run.id)).not.toContain(entry.id);
    });

    it("keeps the body until it is dropped, and records units", async () => {
      const entry = newImport("t1", { body: "a\nb\n" });
      await f.imports.create(entry);
      expect(await f.imports.body(entry.id)).toBe("a\nb\n");
      await f.imports.setUnits(entry.id, 2);
      await f.imports.dropBody(entry.id);
      expect(await f.imports.body(entry.id)).toBeUndefined();
      expect(await f.imports.get("t1", entry.id)).toMatchObject({ hasBody: false, units: 2 });
    });

    it("counts a tenant's running imports only", async () => {
      const a = newImport("t1");
      const b = newImport("t1");
      await f.imports.create(a);
      await f.imports.create(b);
      await f.imports.create(newImport("t2"));
      expect(await f.imports.active("t1")).toBe(2);
      await f.runs.setState(a.id, "failed", { error: "x" });
      expect(await f.imports.active("t1")).toBe(1);
      expect(await f.imports.active("t3")).toBe(0);
    });

    it("launches each import once, oldest unlaunched first", async () => {
      const a = newImport("t1");
      await f.imports.create(a);
      await sleep(5);
      const b = newImport("t2");
      await f.imports.create(b);
      expect(await f.imports.unlaunched(10)).toEqual([a.id, b.id]);
      const claims = await Promise.all([f.imports.claimLaunch(a.id), f.imports.claimLaunch(a.id)]);
      expect(claims.sort()).toEqual([false, true]);
      expect(await f.imports.unlaunched(10)).toEqual([b.id]);
      expect((await f.imports.get("t1", a.id))?.launchedAt).toBeInstanceOf(Date);
      await f.runs.setState(b.id, "failed", { error: "x" });
      expect(await f.imports.unlaunched(10)).toEqual([]);
    });
  });
}
