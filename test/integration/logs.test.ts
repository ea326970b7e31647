/** Request logs: one structured line per request with id, tenant, route, status, duration; never text or keys. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { startApi } from "../helpers/api.js";
import { uniqueId } from "../helpers/memory.js";
import { captureJsonLines } from "../helpers/output.js";

const api = await startApi({ LOG_LEVEL: "info" });
const t = await api.tenant();
afterEach(() => vi.restoreAllMocks());

describe("request logs", () => {
  it("record who did what, how it ended and how long it took, but no message text and no key", async () => {
    const output = captureJsonLines();
    const userId = uniqueId("log");
    await t.call(`/v1/users/${userId}/conversations`, {
      method: "POST",
      json: { userMessage: "my private diary entry", botResponse: "kept secret" },
    });
    await t.call(`/v1/users/${userId}`, { method: "DELETE" });
    const logs = output();
    const requests = logs.filter((l) => l.message === "request");
    expect(requests.map((r) => [r.method, r.route, r.status])).toEqual([
      ["POST", "/v1/users/:userId/conversations", 201],
      ["DELETE", "/v1/users/:userId", 204],
    ]);
    for (const r of requests) {
      expect(r).toMatchObject({
        tenantId: t.tenantId,
        requestId: expect.any(String),
        durationMs: expect.any(Number),
      });
    }
    expect(logs.some((l) => l.message === "audit" && l.event === "erase")).toBe(true);
    const all = JSON.stringify(logs);
    expect(all).not.toContain("private diary");
    expect(all).not.toContain(t.key);
  });
});
