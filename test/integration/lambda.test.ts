/** The Lambda entry point exports the same app: invoke its handler with a real HTTP API v2 event. */
import { afterAll, describe, expect, inject, it } from "vitest";

Object.assign(process.env, inject("localEnv"), { LOG_LEVEL: "error" });
const api = await import("../../functions/api.js");
const app = api.app;
type Result = { statusCode: number; body: string; headers?: Record<string, string> };
const handler = api.handler as unknown as (event: unknown, context: unknown) => Promise<Result>;
const { createMemory } = await import("../../shared/runtime/create-memory.js");
const { loadConfig } = await import("../../shared/config/index.js");
// The schema is prepared at deploy, not by the function: here, by the test.
const admin = createMemory(loadConfig());
await admin.manager.initializeTiers();
afterAll(() => admin.close());

function httpApiEvent(method: string, path: string, headers: Record<string, string>, body?: unknown) {
  return {
    version: "2.0",
    routeKey: "$default",
    rawPath: path,
    rawQueryString: "",
    headers: { host: "abc123.execute-api.eu-west-1.amazonaws.com", ...headers },
    requestContext: {
      accountId: "123456789012",
      apiId: "abc123",
      domainName: "abc123.execute-api.eu-west-1.amazonaws.com",
      domainPrefix: "abc123",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "203.0.113.7", userAgent: "test" },
      requestId: "req-1",
      routeKey: "$default",
      stage: "$default",
      time: "25/Nov/2026:12:00:00 +0000",
      timeEpoch: Date.now(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

describe("functions/api.ts handler", () => {
  it("serves the app to API Gateway HTTP API v2 events", async () => {
    // The handler serves the exported app: the same routes answer through both.
    expect((await app.request("/v1/users/u-lambda/conversations")).status).toBe(401);
    const { key } = await admin.keys.create("lambda-test", "test");
    const headers = { authorization: `Bearer ${key}`, "content-type": "application/json" };
    const stored = await handler(
      httpApiEvent("POST", "/v1/users/u-lambda/conversations", headers, {
        userMessage: "hi from Lambda",
        botResponse: "hello",
      }),
      {},
    );
    expect(stored.statusCode).toBe(201);
    expect(JSON.parse(stored.body)).toMatchObject({ userId: "u-lambda", duplicate: false });

    const missing = await handler(httpApiEvent("GET", "/v1/users/u-lambda/conversations", {}), {});
    expect(missing.statusCode).toBe(401);
    expect(missing.headers?.["content-type"]).toMatch(/problem\+json/);
  });
});
