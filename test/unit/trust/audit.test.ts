/**
 * The audit trail: an erase is recorded when it is accepted, with the key id and the request id,
 * and no log level silences it (it went through the logger at info before).
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../../../shared/app/create-app.js";
import { loadConfig } from "../../../shared/config/index.js";
import { createMemory } from "../../../shared/runtime/create-memory.js";
import { uniqueId } from "../../helpers/ids.js";
import { unreachableTiers } from "../../helpers/in-memory-api.js";
import { captureJsonLines } from "../../helpers/output.js";
import { createInMemoryStores } from "../../in-memory/index.js";

afterEach(() => vi.restoreAllMocks());

describe("the audit trail", () => {
  it("records an accepted erase with who asked, even at LOG_LEVEL=error, and no message text", async () => {
    const memory = createMemory(loadConfig({ ...unreachableTiers, LOG_LEVEL: "error" }), {
      stores: createInMemoryStores(),
    });
    const app = createApp(memory);
    const { key, info } = await memory.keys.create("acme", "bot");
    const auth = { authorization: `Bearer ${key}` };
    const userId = uniqueId("u");
    await app.request(`/v1/users/${userId}/conversations`, {
      method: "POST",
      headers: { ...auth, "content-type": "application/json" },
      body: JSON.stringify({ userMessage: "my private diary entry", botResponse: "ok" }),
    });
    const output = captureJsonLines();
    const res = await app.request(`/v1/users/${userId}`, { method: "DELETE", headers: auth });
    expect(res.status).toBe(204);
    const lines = output();
    expect(lines.filter((l) => l.level === "AUDIT")).toEqual([
      expect.objectContaining({
        event: "erase",
        via: "rest",
        tenantId: "acme",
        keyId: key.slice(0, 15),
        requestId: expect.any(String),
        userId,
        exchanges: 1,
        pending: [],
      }),
    ]);
    expect(key.startsWith(`hm_${info.id}`)).toBe(true);
    expect(JSON.stringify(lines)).not.toContain("private diary");
    expect(JSON.stringify(lines)).not.toContain(key);
  });
});
