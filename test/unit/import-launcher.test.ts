/** The Step Functions runner's launcher: start the execution first, then claim; a failed start leaves the import for the next run. */
import { describe, expect, it } from "vitest";
import { launchImports, type StartExecution } from "../../shared/import/launcher.js";
import { silentLogger } from "../../shared/util/logger.js";

function fakeImports(ids: string[]) {
  const events: string[] = [];
  const claimed = new Set<string>();
  return {
    events,
    claimed,
    imports: {
      unlaunched: async (limit: number) => ids.filter((id) => !claimed.has(id)).slice(0, limit),
      claimLaunch: async (id: string) => {
        events.push(`claim ${id}`);
        if (claimed.has(id)) return false;
        claimed.add(id);
        return true;
      },
    },
  };
}

const named = (name: string, message = name) => Object.assign(new Error(message), { name });

describe("launchImports", () => {
  it("starts one execution per import, named by its id with the id as input, before claiming it", async () => {
    const store = fakeImports(["a", "b"]);
    const startExecution: StartExecution = async ({ name, input }) => {
      store.events.push(`start ${name} ${input}`);
    };
    const report = await launchImports({ imports: store.imports, startExecution, logger: silentLogger });
    expect(report).toEqual({ launched: 2, failed: 0, errors: [] });
    expect(store.events).toEqual([
      'start a {"importId":"a"}',
      "claim a",
      'start b {"importId":"b"}',
      "claim b",
    ]);
    // Claimed: the next run has nothing to launch.
    expect(await launchImports({ imports: store.imports, startExecution, logger: silentLogger })).toEqual({
      launched: 0,
      failed: 0,
      errors: [],
    });
  });

  it("counts an execution that already exists as started, and claims the import", async () => {
    const store = fakeImports(["a"]);
    const report = await launchImports({
      imports: store.imports,
      startExecution: async () => {
        throw named("ExecutionAlreadyExists", "Execution Already Exists: 'arn:...:a'");
      },
      logger: silentLogger,
    });
    expect(report).toMatchObject({ launched: 1, failed: 0 });
    expect(store.claimed.has("a")).toBe(true);
  });

  it("leaves an import whose execution could not start unclaimed, for the next run, and goes on with the others", async () => {
    const store = fakeImports(["a", "b", "c"]);
    const report = await launchImports(
      {
        imports: store.imports,
        startExecution: async ({ name }) => {
          if (name === "b") throw named("ThrottlingException", "Rate exceeded");
        },
        logger: silentLogger,
      },
      10,
    );
    expect(report).toEqual({ launched: 2, failed: 1, errors: [{ importId: "b", error: "Rate exceeded" }] });
    expect([...store.claimed]).toEqual(["a", "c"]);
    expect(await store.imports.unlaunched(10)).toEqual(["b"]);
  });

  it("takes at most `limit` imports a run, and reports a store it cannot read instead of throwing", async () => {
    const store = fakeImports(["a", "b", "c"]);
    const started: string[] = [];
    await launchImports(
      {
        imports: store.imports,
        startExecution: async ({ name }) => started.push(name),
        logger: silentLogger,
      },
      2,
    );
    expect(started).toEqual(["a", "b"]);
    const report = await launchImports({
      imports: {
        unlaunched: async () => {
          throw new Error("postgres is unavailable");
        },
        claimLaunch: async () => true,
      },
      startExecution: async () => undefined,
      logger: silentLogger,
    });
    expect(report).toEqual({ launched: 0, failed: 1, errors: [{ error: "postgres is unavailable" }] });
  });
});
