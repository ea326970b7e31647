/** What every MCP tool shares: its result shape, and failures turned into tool errors. */
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import { toAppError } from "../api/problems.js";
import { describeError } from "../errors/memory-error.js";
import type { Logger } from "../util/logger.js";

export const ok = (data: Record<string, unknown>, text = JSON.stringify(data, null, 2)): CallToolResult => ({
  content: [{ type: "text", text }],
  structuredContent: data,
});

/**
 * Runs a tool body; any failure becomes a tool error carrying the REST API's problem detail (the
 * same mapping), never a protocol error. Server-side failures are logged as the REST edge logs them.
 */
export const guardedWith =
  (logger: Logger) =>
  <A>(body: (args: A) => Promise<CallToolResult>) =>
  async (args: A): Promise<CallToolResult> => {
    try {
      return await body(args);
    } catch (error) {
      const problem = toAppError(error);
      if (problem.status >= 500)
        logger[problem.status === 500 ? "error" : "warn"]("mcp tool failed", {
          status: problem.status,
          cause: describeError(error),
        });
      return { isError: true, content: [{ type: "text", text: problem.detail }] };
    }
  };
