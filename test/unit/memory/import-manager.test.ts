/**
 * The ImportManager on in-memory stores: batches are fixed and checkpointed, so a crash between
 * batches resumes with only the rest; a batch that keeps failing fails the import and says so; the
 * end reports once to the tenant's webhooks, with counts only; the text goes when the import ends.
 */
import { describe, expect, it } from "vitest";
import type { ImportFinished } from "../../../shared/memory/webhooks/memory-events.js";
import type { MigrationRunStore } from "../../../shared/tiers/migration-runs.js";
import { inMemoryMemory } from "../../helpers/in-memory-memory.js";
import type { InMemoryStores } from "../../in-memory/index.js";

const lines = (n: number, user = "u1") =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({ userId: user, userMessage: `message ${i}`, botResponse: "ok", externalId: `x${i}` }),
  ).join("\n");

function setup(
  overrides: Record<string, string> = {},
  runs?: (real: MigrationRunStore) => MigrationRunStore,
  adapt: (stores: InMemoryStores) => InMemoryStores = (s) => s,
) {
  const finished: ImportFinished[] = [];
  const t = inMemoryMemory(
    {
      HIERARCHICAL_MEMORY_IMPORT_RUNNER: "step-functions",
      HIERARCHICAL_MEMORY_IMPORT_BATCH_SIZE: "2",
      ...overrides,
    },
    { adapt: (s) => adapt(runs && s.runs ? { ...s, runs: runs(s.runs) } : s) },
  );
  const imports = t.memory.imports;
  if (!imports) throw new Error("no imports without Postgres");
  Object.assign(t.memory.events, {
    importFinished: async (e: ImportFinished) => {
      finished.push(e);
    },
  });
  return { ...t, imports, finished };
}

describe("ImportManager", () => {
  it("resumes after a crash with only the batches not yet committed", async () => {
    const { imports, stores, finished } = setup();
    const entry = await imports.create("t1", { format: "ndjson", body: lines(5) });
    expect(await imports.plan(entry.id)).toEqual({ importId: entry.id, batches: 3 });
    expect(await imports.importRange(entry.id, 0, 2)).toEqual({ committed: 2, skippedAsDone: 0 });
    // The process dies here; another picks the import up from its checkpoints.
    expect(await imports.importRange(entry.id, 0, 3)).toEqual({ committed: 1, skippedAsDone: 2 });
    const { result } = await imports.finish(entry.id);
    expect(result?.totals).toEqual({ lines: 5, imported: 5, existing: 0, erased: 0, refused: 0 });
    expect(result?.validation).toMatchObject({ sampled: 5, matched: 5, score: 1 });
    expect(result?.pendingTiers).toEqual([]);
    expect(stores.archive && (await stores.archive.recent("t1/u1", 10)).length).toBe(5);
    expect(await stores.imports?.body(entry.id)).toBeUndefined();
    expect(finished).toEqual([
      expect.objectContaining({
        importId: entry.id,
        state: "completed",
        lines: expect.objectContaining({ imported: 5 }),
      }),
    ]);
    expect(JSON.stringify(finished)).not.toContain("message");
  });

  it("fails the import when a batch still fails after its retries, keeping what committed", async () => {
    let calls = 0;
    const commitBatch: MigrationRunStore["commitBatch"] = (batch, ...rest) => {
      calls++;
      return batch.index === 1
        ? Promise.reject(new Error("connection reset"))
        : real.commitBatch(batch, ...rest);
    };
    let real: MigrationRunStore;
    const { imports, finished } = setup({}, (store) => {
      real = store;
      // Every other method as the store has it (bound: its fields are private).
      return new Proxy(store, {
        get: (target, name) => {
          if (name === "commitBatch") return commitBatch;
          const value = Reflect.get(target, name);
          return typeof value === "function" ? value.bind(target) : value;
        },
      });
    });
    const entry = await imports.create("t1", { format: "ndjson", body: lines(4) });
    expect(await imports.run(entry.id)).toBeUndefined();
    const after = await imports.get("t1", entry.id);
    expect(after).toMatchObject({ state: "failed", hasBody: false });
    expect(after?.error).toMatch(/batch 1: .*connection reset/);
    expect(calls).toBe(4); // batch 0 once, batch 1 three times
    expect(finished).toEqual([
      expect.objectContaining({ state: "failed", lines: expect.objectContaining({ imported: 2 }) }),
    ]);
  });

  it("completes, naming the tier still missing memories, when a projection write fails", async () => {
    const { imports } = setup({}, undefined, (stores) =>
      stores.summaries
        ? {
            ...stores,
            summaries: new Proxy(stores.summaries, {
              get: (target, name) => {
                if (name === "upsert") return () => Promise.reject(new Error("chroma is down"));
                const value = Reflect.get(target, name);
                return typeof value === "function" ? value.bind(target) : value;
              },
            }),
          }
        : stores,
    );
    const entry = await imports.create("t1", { format: "ndjson", body: lines(3) });
    const result = await imports.run(entry.id);
    expect(result?.pendingTiers).toEqual(["chroma"]);
    expect(result?.totals.imported).toBe(3);
    expect(await imports.get("t1", entry.id)).toMatchObject({ state: "completed" });
  });

  it("refuses an import with more lines than allowed, and a tenant over its running imports", async () => {
    const { imports } = setup({
      HIERARCHICAL_MEMORY_IMPORT_MAX_LINES: "3",
      HIERARCHICAL_MEMORY_IMPORT_MAX_ACTIVE: "1",
    });
    await expect(imports.create("t1", { format: "ndjson", body: lines(4) })).rejects.toThrow(
      /4 lines, more than allowed \(3\)/,
    );
    await imports.create("t1", { format: "ndjson", body: lines(1) });
    await expect(imports.create("t1", { format: "ndjson", body: lines(1) })).rejects.toThrow(
      /as many as allowed/,
    );
    await expect(imports.create("t2", { format: "ndjson", body: lines(1) })).resolves.toBeDefined();
  });

  it("runs in the process that accepted it with the in-process runner, once", async () => {
    const { imports } = setup({ HIERARCHICAL_MEMORY_IMPORT_RUNNER: "in-process" });
    const entry = await imports.create("t1", { format: "ndjson", body: lines(3) });
    expect(await imports.launch(entry.id)).toBe(false);
    await imports.settled();
    expect(await imports.get("t1", entry.id)).toMatchObject({ state: "completed" });
  });
});
