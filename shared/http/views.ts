/** How an archived exchange is shown to clients, by the REST API and the MCP tools alike. */
import type { z } from "@hono/zod-openapi";
import type { Exchange } from "../domain/types.js";
import type { ExchangeView } from "./schemas.js";

export const exchangeView = (e: Exchange): z.infer<typeof ExchangeView> => ({
  id: e.id,
  userMessage: e.userMessage,
  botResponse: e.botResponse,
  speaker: e.speaker,
  metadata: e.metadata,
  createdAt: e.createdAt.toISOString(),
});
