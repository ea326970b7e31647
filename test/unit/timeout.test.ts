/** withTimeout: the work's own result or failure, or a TimeoutError with the message once time is up. */
import { describe, expect, it } from "vitest";
import { TimeoutError } from "../../shared/errors/memory-error.js";
import { withTimeout } from "../../shared/util/timeout.js";

const resolvesAfter = <T>(ms: number, value: T) =>
  new Promise<T>((resolve) => setTimeout(() => resolve(value), ms));

describe("withTimeout", () => {
  it("answers with the work when it settles in time", async () => {
    await expect(withTimeout(resolvesAfter(1, "done"), 200, "late")).resolves.toBe("done");
    await expect(withTimeout(Promise.reject(new Error("broke")), 200, "late")).rejects.toThrow("broke");
  });

  it("rejects with a TimeoutError carrying the message when the work is late", async () => {
    const late = withTimeout(resolvesAfter(500, "done"), 10, "postgres did not answer within 10 ms");
    await expect(late).rejects.toBeInstanceOf(TimeoutError);
    await expect(late).rejects.toThrow("postgres did not answer within 10 ms");
  });
});
