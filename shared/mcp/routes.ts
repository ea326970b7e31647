/**
 * MCP over Streamable HTTP at /mcp, stateless: each POST gets its own server bound to the caller's
 * tenant and answers with JSON, so any instance (or Lambda) can serve any request. GET (a
 * server-to-client stream) and DELETE (session end) have no meaning without sessions: 405.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { requester } from "../api/audit.js";
import type { AppEnv } from "../api/hono-env.js";
import { problems } from "../api/problems.js";
import type { McpDeps } from "./server.js";

/**
 * The MCP SDK and the tools load on the first /mcp request: most containers never serve one, and
 * the SDK (with its JSON Schema validator) took about a fifth of the API's import time.
 */
let sdk:
  | Promise<
      [
        typeof import("./server.js"),
        typeof import("@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"),
      ]
    >
  | undefined;
const loadSdk = () => {
  sdk ??= Promise.all([
    import("./server.js"),
    import("@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js"),
  ]);
  return sdk;
};

export function mcpRoutes(
  app: OpenAPIHono<AppEnv>,
  { memory, audit, logger }: Omit<McpDeps, "tenantId" | "scopes" | "requester">,
) {
  app.post("/mcp", async (c) => {
    // One message per request: the rate limit counts requests, and a batch of thousands of tool
    // calls in one of them would run them all at once (the 2025-06-18 protocol dropped batching).
    const parsedBody = await c.req.json<unknown>().catch(() => {
      throw problems.badRequest("the body is not JSON");
    });
    if (Array.isArray(parsedBody))
      throw problems.badRequest("send one JSON-RPC message per request; batches are not accepted");
    const { tenantId, ...who } = requester(c);
    const [{ createMcpServer }, { WebStandardStreamableHTTPServerTransport }] = await loadSdk();
    const server = createMcpServer({
      memory,
      tenantId,
      scopes: c.get("scopes"),
      audit,
      logger,
      requester: who,
    });
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw, { parsedBody });
    } finally {
      await server.close();
    }
  });
  app.on(["GET", "DELETE"], "/mcp", () => {
    throw problems.methodNotAllowed("this method", "/mcp (stateless: POST only)", ["POST"]);
  });
}
