/** Request logs: one structured line per request with id, tenant, route, status, duration; never text or keys. */
import { describe, expect, it } from "vitest";
import { TierUnavailableError } from "../../../shared/errors/memory-error.js";
import { uniqueId } from "../../helpers/ids.js";
import { inMemoryApi } from "../../helpers/in-memory-api.js";
import { withOutage } from "../../helpers/outage.js";

const api = inMemoryApi();
const t = await api.tenant();

describe("request logs", () => {
  it("record who did what, how it ended and how long it took, but no message text and no key", async () => {
    const from = api.logs.length;
    const userId = uniqueId("log");
    await t.call(`/v1/users/${userId}/conversations`, {
      method: "POST",
      json: { userMessage: "my private diary entry", botResponse: "kept secret" },
    });
    await t.call(`/v1/users/${userId}`, { method: "DELETE" });
    const logs = api.logs.slice(from);
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
    expect(api.audits.some((e) => e.event === "erase")).toBe(true);
    const all = JSON.stringify(logs);
    expect(all).not.toContain("private diary");
    expect(all).not.toContain(t.key);
  });

  /** The app with the archive's insert failing with `error`. */
  const failingStore = (error: Error) =>
    inMemoryApi(
      {},
      {
        adapt: (stores) =>
          stores.archive
            ? { ...stores, archive: withOutage(stores.archive, ["insertExchange"], { down: true, error }) }
            : stores,
      },
    );
  const driverText = "timeout exceeded when trying to connect to 10.0.0.7";

  it("log a refused request with what failed underneath; the client gets a 503 without it", async () => {
    const api503 = failingStore(
      new TierUnavailableError("postgres", { cause: new Error(driverText), failed: "nothing was stored" }),
    );
    const tenant = await api503.tenant();
    const res = await tenant.call(`/v1/users/${uniqueId("u")}/conversations`, {
      method: "POST",
      json: { userMessage: "my private diary entry", botResponse: "ok" },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    const body = await res.text();
    expect(JSON.parse(body).detail).toBe("postgres is unavailable; nothing was stored, retry later");
    expect(body).not.toContain("10.0.0.7");
    expect(api503.logs.find((l) => l.message === "request refused")).toMatchObject({
      level: "warn",
      route: "/v1/users/:userId/conversations",
      cause: driverText,
    });
    expect(JSON.stringify(api503.logs)).not.toContain("private diary");
  });

  it("log an unexpected failure in full; the client gets a 500 that says nothing of it", async () => {
    const api500 = failingStore(new TypeError(`cannot read properties of undefined (${driverText})`));
    const tenant = await api500.tenant();
    const res = await tenant.call(`/v1/users/${uniqueId("u")}/conversations`, {
      method: "POST",
      json: { userMessage: "hello", botResponse: "ok" },
    });
    expect(res.status).toBe(500);
    expect(((await res.json()) as { detail: string }).detail).toBe(
      "The server failed to handle the request; it has been logged.",
    );
    expect(api500.logs.find((l) => l.message === "request failed")).toMatchObject({
      level: "error",
      error: expect.stringContaining(driverText),
    });
  });
});
