/**
 * The import state machine's tasks (plan, importGroup, finish, fail): each validates its input (zod)
 * and calls the ImportManager. The Lambda handlers in functions/imports.ts and the local Step
 * Functions runner in the tests call these same functions.
 *
 * A refusal (bad input, an unreadable location, an import no longer running) is rethrown as an
 * `ImportRefused` error: its name is a literal, so it survives the bundle's minification (a class
 * name does not), the state machine does not retry it, and `fail` may show its message to the
 * tenant. Any other failure reaches the tenant as its Step Functions error name only.
 */
import { z } from "zod";
import { type ErrorCode, MemoryError } from "../errors/memory-error.js";
import type { ImportManager } from "./import-manager.js";

/** The error name (Step Functions' `Error`) of a failure that retrying cannot mend. */
export const importRefused = "ImportRefused";

class ImportRefusedError extends Error {
  override readonly name = importRefused;
}

/** Errors whose message was written for the tenant (the API shows them too). */
const refusals: ReadonlySet<ErrorCode> = new Set(["invalid-input", "not-found", "conflict"]);

/** Projection work per Finish call, under the 15-minute Lambda limit; the state machine loops. */
const finishBudgetMs = 10 * 60_000;

/**
 * Most groups an execution maps over: about 7 history events each stay far under Step Functions'
 * 25,000, and the groups array far under a state's 256 KB. More batches make larger groups.
 */
const maxGroups = 1000;

const importId = z.uuid();

export const PlanInput = z.object({
  importId,
  /** Batches per task invocation; default 20. */
  groupSize: z.number().int().min(1).max(1000).default(20),
});
const GroupInput = z.object({
  importId,
  group: z.number().int().min(0),
  groupSize: z.number().int().min(1),
});
const ImportInput = z.object({ importId });
/**
 * What a Catch caught, as it caught it: Step Functions' error name and its cause (a Lambda's is JSON
 * with a trace). Passed whole, since a path to a field the error lacks would fail the Fail task.
 */
const FailInput = z.object({
  importId,
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

export function importTasks(imports: () => Promise<ImportManager>) {
  return {
    plan: refusing(async (event: unknown) => {
      const input = PlanInput.parse(event);
      const { batches } = await (await imports()).plan(input.importId);
      const groupSize = Math.max(input.groupSize, Math.ceil(batches / maxGroups));
      const groups = Array.from({ length: Math.ceil(batches / groupSize) }, (_, i) => i);
      return { importId: input.importId, batches, groups, groupSize };
    }),
    importGroup: refusing(async (event: unknown) => {
      const { importId, group, groupSize } = GroupInput.parse(event);
      const result = await (await imports()).importRange(
        importId,
        group * groupSize,
        (group + 1) * groupSize,
      );
      return { group, ...result };
    }),
    finish: refusing(async (event: unknown) => {
      const { importId } = ImportInput.parse(event);
      const { projectionsRemaining, result } = await (await imports()).finish(importId, {
        budgetMs: finishBudgetMs,
      });
      // Counts only: small enough for the state's 256 KB.
      return {
        importId,
        projectionsRemaining,
        state: projectionsRemaining ? "running" : "completed",
        ...(result ? { totals: result.totals } : {}),
      };
    }),
    fail: async (event: unknown) => {
      const { importId, error } = FailInput.parse(event);
      const reason = failureReason(error?.Error, error?.Cause);
      await (await imports()).fail(importId, reason);
      return { importId, state: "failed", reason };
    },
  };
}

export type ImportTasks = ReturnType<typeof importTasks>;

/**
 * What the tenant reads as the import's error: a refusal's own message, or else only the error's
 * name (a Lambda's cause holds its stack and may name hosts), both short.
 */
export function failureReason(error = "States.Unknown", cause?: string): string {
  const name = error.replace(/[^\w.:-]/g, "").slice(0, 80) || "States.Unknown";
  if (name === importRefused) {
    const message = messageOf(cause);
    if (message) return message.slice(0, 300);
  }
  return `${name}: the import stopped after its retries (its Step Functions execution has the details)`;
}

/** A Lambda's cause is JSON ({errorType, errorMessage, trace}); the local runner's is the message. */
function messageOf(cause: string | undefined): string | undefined {
  if (!cause) return undefined;
  try {
    const parsed: unknown = JSON.parse(cause);
    if (parsed && typeof parsed === "object" && "errorMessage" in parsed)
      return String((parsed as { errorMessage: unknown }).errorMessage);
  } catch {
    // Not JSON: the message itself.
  }
  return cause;
}

/** Rethrows a MemoryError the tenant caused, or one about the import's state, as ImportRefused. */
function refusing<I, O>(task: (input: I) => Promise<O>): (input: I) => Promise<O> {
  return async (input) => {
    try {
      return await task(input);
    } catch (error) {
      if (error instanceof MemoryError && refusals.has(error.code))
        throw new ImportRefusedError(error.message, { cause: error });
      throw error;
    }
  };
}
