/**
 * MCP over Streamable HTTP at /mcp, stateless: each POST gets its own server bound to the caller's
 * tenant and answers with JSON, so any instance (or Lambda) can serve any request. GET (a
 * server-to-client stream) and DELETE (session end) have no meaning without sessions: 405.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { AppEnv } from "../api/hono-env.js";
import { problems } from "../api/problems.js";
import { createMcpServer, type McpDeps } from "./server.js";

export function mcpRoutes(app: OpenAPIHono<AppEnv>, { memory, audit, logger }: Omit<McpDeps, "tenantId">) {
  app.post("/mcp", async (c) => {
    const server = createMcpServer({ memory, tenantId: c.get("tenantId"), audit, logger });
    const transport = new WebStandardStreamableHTTPServerTransport({ enableJsonResponse: true });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      await server.close();
    }
  });
  app.on(["GET", "DELETE"], "/mcp", () => {
    throw problems.methodNotAllowed("this method", "/mcp (stateless: POST only)", ["POST"]);
  });
}
