/** Reads of one tenant's user that the REST routes and the MCP tools share, so both answer alike. */

import type { Filter, Selection } from "../domain/filter.js";
import { userKey } from "../domain/identity.js";
import { type Scope, scopeOf } from "../domain/types.js";
import type { AssembledContext } from "../memory/assembler/types.js";
import type { HierarchicalMemoryManager } from "../memory/manager.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { exchangeView, sessionView } from "./views.js";

type Memory = Pick<
  HierarchicalMemoryManager,
  "getConversationContext" | "assertKnownUser" | "listConversations" | "listSessions"
>;

/**
 * The context for a query. An empty context is a 404 only when the archive answered and holds
 * nothing of the user; when the archive was not heard from, the answer says so (`degraded`).
 */
export async function contextFor(
  memory: Pick<Memory, "getConversationContext" | "assertKnownUser">,
  request: Parameters<Memory["getConversationContext"]>[0],
): Promise<AssembledContext> {
  const context = await memory.getConversationContext(request);
  if (context.items.length === 0 && !context.degraded.includes("postgres"))
    await memory.assertKnownUser(request.userId);
  return context;
}

/** A listing's session, agent and (parsed) filter as the memory's selection. */
export const selectionOf = ({ filter, ...scope }: Scope & { filter?: Filter }): Selection => ({
  scope: scopeOf(scope),
  ...(filter ? { filter } : {}),
});

/** A listing of the memory's (the archive's, the notes'): a page of a stored user's rows, newest first. */
type Listing = HierarchicalMemoryManager["listConversations"];

/** A page of what `list` lists of the tenant's user, after a cursor this API returned, as views. */
export async function pageVia(
  list: Listing,
  tenantId: string,
  userId: string,
  cursor: string | undefined,
  limit: number,
  selection: Selection = {},
) {
  const before = cursor === undefined ? undefined : decodeCursor(cursor);
  const page = await list(userKey(tenantId, userId), limit, before, selection);
  return { items: page.items.map(exchangeView), nextCursor: page.next ? encodeCursor(page.next) : null };
}

/** A page of the user's archive, newest first, after a cursor this API returned, of what is selected. */
export const archivePage = (
  memory: Pick<Memory, "listConversations">,
  ...page: [
    tenantId: string,
    userId: string,
    cursor: string | undefined,
    limit: number,
    selection?: Selection,
  ]
) => pageVia((...args) => memory.listConversations(...args), ...page);

/** The user's sessions, most recently active first. */
export async function sessionsOf(
  memory: Pick<Memory, "listSessions">,
  tenantId: string,
  userId: string,
  limit: number,
) {
  const sessions = await memory.listSessions(userKey(tenantId, userId), limit);
  return { userId, sessions: sessions.map(sessionView) };
}
