/**
 * What only a real server and real stores show: a body over the limit refused on its own socket
 * before it is read whole, and a revoked key in Postgres refused by a fresh process at once. The
 * API's behaviour itself is tested fast on in-memory stores (test/unit/http/api.test.ts).
 */
import { request } from "node:http";
import { describe, expect, it } from "vitest";
import { createApp } from "../../shared/app/create-app.js";
import { startApi } from "../helpers/api.js";
import { uniqueId } from "../helpers/memory.js";

const api = await startApi();
const acme = await api.tenant();

describe("the API on a real server and the emulated stores", () => {
  it("answers a body over the limit with 413 before reading it whole", async () => {
    // Its own connection: the server answers before reading the whole body and closes it.
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${api.base}/v1/users/${uniqueId("u")}/conversations`, {
        method: "POST",
        agent: false,
        headers: { authorization: `Bearer ${acme.key}`, "content-type": "application/json" },
      });
      req.on("response", (res) => resolve(res.statusCode ?? 0));
      req.on("error", reject);
      req.end(JSON.stringify({ userMessage: "x".repeat(300_000), botResponse: "" }));
    });
    expect(status).toBe(413);
  });

  it("refuses a key revoked in Postgres in a process that has not seen it", async () => {
    const temp = await api.tenant();
    const path = `/v1/users/${uniqueId("u")}/conversations`;
    expect((await temp.call(path)).status).toBe(404);
    expect(await api.keys.revoke(temp.keyId)).toBe(true);
    const res = await createApp(api.memory).request(path, {
      headers: { authorization: `Bearer ${temp.key}` },
    });
    expect(res.status).toBe(401);
  });
});
