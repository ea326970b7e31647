/**
 * The import state machine exactly as CDK synthesizes it, run locally (aws-local-stepfunctions) with
 * the real task functions against the emulated stores, launched as the reconciler launches it: the
 * API holds the import for the runner, the launcher starts one execution named by the import's id.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { importDefinition, synthTemplate } from "../../infra/cdk/synth.js";
import {
  type JSONValue,
  type LocalTaskHandlers,
  runStateMachineLocally,
} from "../../infra/local/stepfunctions.js";
import { launchImports } from "../../shared/import/launcher.js";
import { importTasks } from "../../shared/import/tasks.js";
import { silentLogger } from "../../shared/util/logger.js";
import { startApi } from "../helpers/api.js";
import { uniqueId } from "../helpers/memory.js";

const dir = mkdtempSync(join(tmpdir(), "hm-import-sfn-"));
const api = await startApi({
  HIERARCHICAL_MEMORY_IMPORT_RUNNER: "step-functions",
  HIERARCHICAL_MEMORY_IMPORT_LOCAL_DIRS: dir,
  HIERARCHICAL_MEMORY_IMPORT_BATCH_SIZE: "2",
  HIERARCHICAL_MEMORY_IMPORT_VALIDATE_SAMPLE: "10",
  HIERARCHICAL_MEMORY_IMPORT_MAX_ACTIVE: "10",
});
const manager = api.memory.imports;
const store = api.stores.imports;
if (!manager || !store) throw new Error("imports need Postgres");
const tasks = importTasks(async () => manager);
const definition = importDefinition(synthTemplate());
const tenant = await api.tenant();

interface ImportAnswer {
  id: string;
  state: string;
  lines: Record<string, number | null>;
  batches: { total: number | null; done: number };
  validation: { sampled: number; matched: number; score: number } | null;
  error: string | null;
}

const ndjson = (rows: unknown[]) =>
  `${rows.map((r) => (typeof r === "string" ? r : JSON.stringify(r))).join("\n")}\n`;

async function create(init: RequestInit & { json?: unknown }): Promise<string> {
  const r = await tenant.call("/v1/imports", { method: "POST", ...init });
  expect(r.status, await r.clone().text()).toBe(202);
  return ((await r.json()) as ImportAnswer).id;
}

const read = async (id: string) => (await (await tenant.call(`/v1/imports/${id}`)).json()) as ImportAnswer;

async function memoriesOf(userId: string) {
  const r = await tenant.call(`/v1/users/${userId}/conversations?limit=100`);
  return r.status === 404 ? [] : ((await r.json()) as { items: { userMessage: string }[] }).items;
}

const handlers = (overrides: Partial<LocalTaskHandlers> = {}): LocalTaskHandlers => ({
  Plan: tasks.plan,
  ImportGroup: tasks.importGroup,
  Finish: tasks.finish,
  FailImport: tasks.fail,
  ...overrides,
});

/**
 * One launcher run, as the reconciler's, over this import only (other files' imports share the
 * database), each execution run locally; an execution's name is taken once, as in Step Functions.
 */
async function launch(importId: string, taskHandlers = handlers()) {
  const executions = new Map<string, Promise<JSONValue>>();
  const report = await launchImports({
    imports: {
      unlaunched: async (limit) =>
        (await store?.unlaunched(1000))?.filter((id) => id === importId).slice(0, limit) ?? [],
      claimLaunch: async (id) => (await store?.claimLaunch(id)) ?? false,
    },
    startExecution: async ({ name, input }) => {
      const run = runStateMachineLocally(definition, taskHandlers, JSON.parse(input));
      // Awaited by the test; not an unhandled rejection meanwhile.
      run.catch(() => undefined);
      executions.set(name, run);
    },
    logger: silentLogger,
  });
  return { report, execution: executions.get(importId) };
}

describe("import state machine (synthesized from CDK, run locally)", () => {
  it("imports an NDJSON body end to end once launched, and launches it only once", async () => {
    const user = uniqueId("sfn-imp");
    const id = await create({
      body: ndjson([
        { userId: user, userMessage: "I adopted a cat named Bailey", botResponse: "Lovely!" },
        { userId: user, userMessage: "She likes tuna", botResponse: "Noted." },
        "{not json",
        { userId: user, kind: "note", text: "Allergic to peanuts" },
        { userId: user, userMessage: "Moving to Lisbon in June", botResponse: "Exciting" },
        { userId: user, userMessage: "My sister is called Ana", botResponse: "Nice" },
      ]),
      headers: { "content-type": "application/x-ndjson" },
    });
    // Held for the runner: nothing ran yet.
    expect(await read(id)).toMatchObject({ state: "running", batches: { done: 0 } });

    const { report, execution } = await launch(id);
    expect(report).toEqual({ launched: 1, failed: 0, errors: [] });
    const output = (await execution) as { plan: { groups: number[] }; report: { state: string } };
    expect(output.plan.groups).toEqual([0]);
    expect(output.report).toMatchObject({ state: "completed", projectionsRemaining: false });

    expect(await read(id)).toMatchObject({
      state: "completed",
      lines: { total: 6, done: 6, imported: 5, refused: 1 },
      batches: { total: 3, done: 3 },
      validation: { score: 1 },
      error: null,
    });
    // Four exchanges and the note.
    expect(await memoriesOf(user)).toHaveLength(5);
    // Claimed: the next launcher run leaves it alone.
    expect((await launch(id)).report).toEqual({ launched: 0, failed: 0, errors: [] });
  });

  it("retries a group whose task died after committing part of it, and writes nothing twice", async () => {
    const user = uniqueId("sfn-retry");
    const id = await create({
      body: ndjson(
        Array.from({ length: 8 }, (_, i) => ({ userId: user, userMessage: `line ${i}`, botResponse: "ok" })),
      ),
      headers: { "content-type": "application/x-ndjson" },
    });
    let attempts = 0;
    const { execution } = await launch(
      id,
      handlers({
        // Two batches a group: two groups, run two at a time.
        Plan: (input) => tasks.plan({ ...(input as object), groupSize: 2 }),
        ImportGroup: async (input) => {
          const { group } = input as { group: number };
          if (group === 1 && ++attempts === 1) {
            // The group's first batch commits, then the Lambda dies.
            await manager.importRange(id, 2, 3);
            throw new Error("Task timed out after 900.00 seconds");
          }
          return tasks.importGroup(input);
        },
      }),
    );
    const output = (await execution) as { plan: { groups: number[] } };
    expect(output.plan.groups).toEqual([0, 1]);
    expect(attempts).toBe(2);
    expect(await read(id)).toMatchObject({
      state: "completed",
      lines: { total: 8, imported: 8, existing: 0 },
    });
    expect(await memoriesOf(user)).toHaveLength(8);
  });

  it("ends an import whose location cannot be read as failed, with the refusal as its reason", async () => {
    const id = await create({ json: { location: join(dir, "never-uploaded.ndjson") } });
    const { execution } = await launch(id);
    // The Fail state's error, and the reason the import records as its cause.
    await expect(execution).rejects.toMatchObject({
      cause: {
        name: "ImportFailed",
        message: expect.stringMatching(/^location: cannot read the file \(ENOENT\)/),
      },
    });
    expect(await read(id)).toMatchObject({
      state: "failed",
      error: expect.stringMatching(/^location: cannot read the file \(ENOENT\)/),
    });
  });

  it("ends an import whose group keeps failing as failed, keeping what was committed and telling only the error's name", async () => {
    const user = uniqueId("sfn-down");
    const id = await create({
      body: ndjson(
        Array.from({ length: 6 }, (_, i) => ({ userId: user, userMessage: `line ${i}`, botResponse: "ok" })),
      ),
      headers: { "content-type": "application/x-ndjson" },
    });
    const { execution } = await launch(
      id,
      handlers({
        Plan: (input) => tasks.plan({ ...(input as object), groupSize: 1 }),
        ImportGroup: async (input) => {
          if ((input as { group: number }).group === 2) throw new Error("connect ECONNREFUSED 10.1.2.3:5432");
          return tasks.importGroup(input);
        },
      }),
    );
    await expect(execution).rejects.toMatchObject({ cause: { name: "ImportFailed" } });
    const answer = await read(id);
    expect(answer.state).toBe("failed");
    expect(answer.error).toMatch(/^Error: the import stopped after its retries/);
    expect(answer.error).not.toMatch(/ECONNREFUSED|10\.1\.2\.3/);
    // Groups are one batch each here; whichever finished before the Map stopped stay committed.
    expect(answer.lines.imported).toBeLessThan(6);
    expect((await memoriesOf(user)).length).toBe(answer.lines.imported);
  });
});
