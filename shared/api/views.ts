/** How stored data is shown to clients, by the REST API, the MCP tools and the console alike. */
import type { z } from "@hono/zod-openapi";
import type { Exchange, ExchangeVersion, SessionInfo } from "../domain/types.js";
import type { UserExport } from "../memory/user-data.js";
import type { ExchangeView, ExportResponse } from "./schemas.js";

export const exchangeView = (e: Exchange): z.infer<typeof ExchangeView> => ({
  id: e.id,
  kind: e.kind,
  version: e.version,
  // A note reads as one: its text, and who stated it (kept as its speaker).
  ...(e.kind === "note"
    ? { text: e.userMessage, source: e.speaker === "operator" ? ("operator" as const) : ("bot" as const) }
    : {}),
  userMessage: e.userMessage,
  botResponse: e.botResponse,
  speaker: e.speaker,
  sessionId: e.sessionId,
  agentId: e.agentId,
  metadata: e.metadata,
  createdAt: e.createdAt.toISOString(),
});

/** A session as clients see it. */
export const sessionView = (s: SessionInfo) => ({
  sessionId: s.sessionId,
  firstAt: s.firstAt.toISOString(),
  lastAt: s.lastAt.toISOString(),
  exchanges: s.exchanges,
  agentIds: s.agentIds,
});

/** An export as the tenant sees it: user ids as the tenant knows them, no internal node ids. */
export const exportView = (userId: string, data: UserExport): z.infer<typeof ExportResponse> => ({
  userId,
  exportedAt: data.exportedAt,
  exchanges: data.exchanges.map(exchangeView),
  versions: Object.fromEntries(
    Object.entries(data.versions).map(([id, list]) => [id, list.map(versionView)]),
  ),
  summaries: data.summaries.map(({ userId: _, ...s }) => s),
  recentCache: data.recentCache,
  graph: { entities: data.graph.entities.map(withoutUser), facts: data.graph.facts.map(withoutUser) },
});

function withoutUser(node: Record<string, unknown>) {
  const { userId: _, uid: __, ...rest } = node;
  return rest;
}

/** An earlier version of a memory, with who replaced it and when. */
export const versionView = (v: ExchangeVersion) => ({
  version: v.version,
  userMessage: v.userMessage,
  botResponse: v.botResponse,
  speaker: v.speaker,
  sessionId: v.sessionId,
  agentId: v.agentId,
  metadata: v.metadata,
  changedBy: v.changedBy,
  changedAt: v.changedAt.toISOString(),
});
