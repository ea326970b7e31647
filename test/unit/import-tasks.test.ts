/** The import state machine's tasks: their input checked, their calls on the ImportManager, and what a failure tells the tenant. */
import { describe, expect, it, vi } from "vitest";
import { InvalidInputError, TierUnavailableError } from "../../shared/errors/memory-error.js";
import type { ImportManager } from "../../shared/import/import-manager.js";
import { failureReason, importRefused, importTasks } from "../../shared/import/tasks.js";

const id = "7d3f6b1e-2c4a-4e8b-9f10-5a6b7c8d9e0f";

function fakeManager(overrides: Partial<Record<keyof ImportManager, unknown>> = {}) {
  const manager = {
    plan: vi.fn(async (importId: string) => ({ importId, batches: 45 })),
    importRange: vi.fn(async () => ({ committed: 20, skippedAsDone: 0 })),
    finish: vi.fn(async () => ({ projectionsRemaining: false, result: undefined })),
    fail: vi.fn(async () => undefined),
    ...overrides,
  };
  return { manager, tasks: importTasks(async () => manager as unknown as ImportManager) };
}

describe("import tasks", () => {
  it("plan cuts the batches into groups of 20 by default, or of the size asked", async () => {
    const { tasks } = fakeManager();
    expect(await tasks.plan({ importId: id })).toEqual({
      importId: id,
      batches: 45,
      groups: [0, 1, 2],
      groupSize: 20,
    });
    expect(await tasks.plan({ importId: id, groupSize: 10 })).toMatchObject({
      groups: [0, 1, 2, 3, 4],
      groupSize: 10,
    });
  });

  it("plan makes groups larger rather than more than 1000 (the execution's history and state stay small)", async () => {
    const { tasks } = fakeManager({ plan: vi.fn(async () => ({ importId: id, batches: 50_000 })) });
    const planned = await tasks.plan({ importId: id });
    expect(planned.groupSize).toBe(50);
    expect(planned.groups).toHaveLength(1000);
  });

  it("refuses input that is not an import id, a group or a group size, before calling the manager", async () => {
    const { manager, tasks } = fakeManager();
    for (const bad of [{}, { importId: "not-a-uuid" }, { importId: id, groupSize: 0 }])
      await expect(tasks.plan(bad)).rejects.toMatchObject({ name: "ZodError" });
    for (const bad of [
      { importId: id, group: -1, groupSize: 20 },
      { importId: id, group: 1 },
      { group: 0, groupSize: 2 },
    ])
      await expect(tasks.importGroup(bad)).rejects.toMatchObject({ name: "ZodError" });
    await expect(tasks.finish({ runId: id })).rejects.toMatchObject({ name: "ZodError" });
    await expect(tasks.fail({ importId: id, error: "Oops" })).rejects.toMatchObject({ name: "ZodError" });
    expect(manager.plan).not.toHaveBeenCalled();
    expect(manager.importRange).not.toHaveBeenCalled();
    expect(manager.fail).not.toHaveBeenCalled();
  });

  it("importGroup imports the group's range of batches", async () => {
    const { manager, tasks } = fakeManager();
    expect(await tasks.importGroup({ importId: id, group: 2, groupSize: 20 })).toEqual({
      group: 2,
      committed: 20,
      skippedAsDone: 0,
    });
    expect(manager.importRange).toHaveBeenCalledWith(id, 40, 60);
  });

  it("finish works within 10 minutes and says whether projections remain", async () => {
    const { manager, tasks } = fakeManager({
      finish: vi
        .fn()
        .mockResolvedValueOnce({ projectionsRemaining: true })
        .mockResolvedValueOnce({
          projectionsRemaining: false,
          result: {
            totals: { lines: 3, imported: 2, existing: 0, erased: 0, refused: 1 },
            validation: null,
            durationMs: 5,
          },
        }),
    });
    expect(await tasks.finish({ importId: id })).toEqual({
      importId: id,
      projectionsRemaining: true,
      state: "running",
    });
    expect(manager.finish).toHaveBeenCalledWith(id, { budgetMs: 600_000 });
    expect(await tasks.finish({ importId: id })).toEqual({
      importId: id,
      projectionsRemaining: false,
      state: "completed",
      totals: { lines: 3, imported: 2, existing: 0, erased: 0, refused: 1 },
    });
  });

  it("rethrows a refusal as ImportRefused (a literal name, not retried) and anything else as it is", async () => {
    const refusal = new InvalidInputError("location: cannot read the file (ENOENT)");
    const { tasks } = fakeManager({ plan: vi.fn().mockRejectedValueOnce(refusal) });
    await expect(tasks.plan({ importId: id })).rejects.toMatchObject({
      name: importRefused,
      message: "location: cannot read the file (ENOENT)",
      cause: refusal,
    });
    const outage = new TierUnavailableError("postgres");
    const down = fakeManager({ importRange: vi.fn().mockRejectedValueOnce(outage) });
    await expect(down.tasks.importGroup({ importId: id, group: 0, groupSize: 1 })).rejects.toBe(outage);
  });

  it("fail records what was caught as a short reason: a refusal's message, else only the error's name", async () => {
    const { manager, tasks } = fakeManager();
    const lambdaCause = JSON.stringify({
      errorType: importRefused,
      errorMessage: "the import has 60 lines, more than allowed (50); split it",
      trace: ["ImportRefused: the import has 60 lines", "    at plan (/var/task/index.mjs:1:2)"],
    });
    expect(await tasks.fail({ importId: id, error: { Error: importRefused, Cause: lambdaCause } })).toEqual({
      importId: id,
      state: "failed",
      reason: "the import has 60 lines, more than allowed (50); split it",
    });
    expect(manager.fail).toHaveBeenCalledWith(
      id,
      "the import has 60 lines, more than allowed (50); split it",
    );

    const crash = JSON.stringify({
      errorType: "Error",
      errorMessage: "connect ECONNREFUSED 10.0.3.7:5432",
      trace: ["Error: connect ECONNREFUSED 10.0.3.7:5432", "    at TCPConnectWrap"],
    });
    const { reason } = await tasks.fail({ importId: id, error: { Error: "Error", Cause: crash } });
    expect(reason).toMatch(/^Error: the import stopped after its retries/);
    expect(reason).not.toMatch(/ECONNREFUSED|10\.0\.3\.7|TCPConnectWrap/);
    expect((await tasks.fail({ importId: id })).reason).toMatch(/^States\.Unknown: /);
  });

  it("keeps a reason short and its error name plain", () => {
    expect(failureReason("States.Timeout")).toMatch(/^States\.Timeout: /);
    expect(failureReason("<script>alert(1)</script>")).toMatch(/^scriptalert1script: /);
    expect(failureReason(importRefused, "x".repeat(1000))).toHaveLength(300);
    // The local runner's cause is the message itself.
    expect(failureReason(importRefused, "location: the URL answered 403")).toBe(
      "location: the URL answered 403",
    );
    expect(failureReason(importRefused, "")).toMatch(/^ImportRefused: /);
  });
});
