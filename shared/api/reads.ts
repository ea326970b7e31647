/** Reads of one tenant's user that the REST routes and the MCP tools share, so both answer alike. */
import { userKey } from "../domain/identity.js";
import type { AssembledContext } from "../memory/assembler/types.js";
import type { HierarchicalMemoryManager } from "../memory/manager.js";
import { decodeCursor, encodeCursor } from "./cursor.js";
import { exchangeView } from "./views.js";

type Memory = Pick<
  HierarchicalMemoryManager,
  "getConversationContext" | "assertKnownUser" | "listConversations"
>;

/**
 * The context for a query. An empty context is a 404 only when the archive answered and holds
 * nothing of the user; when the archive was not heard from, the answer says so (`degraded`).
 */
export async function contextFor(
  memory: Memory,
  request: Parameters<Memory["getConversationContext"]>[0],
): Promise<AssembledContext> {
  const context = await memory.getConversationContext(request);
  if (context.items.length === 0 && !context.degraded.includes("postgres"))
    await memory.assertKnownUser(request.userId);
  return context;
}

/** A page of the user's archive, newest first, after a cursor this API returned. */
export async function archivePage(
  memory: Memory,
  tenantId: string,
  userId: string,
  cursor: string | undefined,
  limit: number,
) {
  const before = cursor === undefined ? undefined : decodeCursor(cursor);
  const page = await memory.listConversations(userKey(tenantId, userId), limit, before);
  return { items: page.items.map(exchangeView), nextCursor: page.next ? encodeCursor(page.next) : null };
}
