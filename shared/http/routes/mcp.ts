/**
 * MCP over Streamable HTTP at /mcp, stateless: each POST gets its own server bound to the caller's
 * tenant and answers with JSON, so any instance (or Lambda) can serve any request. GET (a
 * server-to-client stream) and DELETE (session end) have no meaning without sessions: 405.
 */
import type { OpenAPIHono } from "@hono/zod-openapi";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { problems } from "../../errors/app-error.js";
import { createMcpServer } from "../../mcp/server.js";
import type { HierarchicalMemoryManager } from "../../memory/manager.js";
import type { AppEnv } from "../env.js";

export function mcpRoutes(
  app: OpenAPIHono<AppEnv>,
  memory: HierarchicalMemoryManager,
  audit: (event: Record<string, unknown>) => void,
) {
  app.post("/mcp", async (c) => {
    const server = createMcpServer({ memory, tenantId: c.get("tenantId"), audit });
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
