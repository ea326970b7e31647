/** Reads of one tenant's user that the REST routes and the MCP tools share, so both answer alike. */
import { problems } from "../errors/app-error.js";
import type { PostgresArchive } from "../tiers/postgres/archive.js";
import { decodeCursor, encodeCursor } from "./tenancy.js";
import { exchangeView } from "./views.js";

/**
 * An empty context is a 404 only when the archive answered and holds nothing of the user; when
 * the archive was not heard from, the answer says so (`degraded`) instead.
 */
export async function assertFoundOrKnown(
  archive: PostgresArchive | undefined,
  key: string,
  userId: string,
  context: { items: readonly unknown[]; degraded: readonly string[] },
): Promise<void> {
  if (context.items.length > 0 || context.degraded.includes("postgres")) return;
  if (((await archive?.exchangeCount(key)) ?? 0) === 0)
    throw problems.notFound(`no memory of user ${userId}`);
}

/** A page of the user's archive, newest first, after a cursor this API returned. */
export async function archivePage(
  archive: PostgresArchive | undefined,
  key: string,
  userId: string,
  cursor: string | undefined,
  limit: number,
) {
  const before = cursor === undefined ? undefined : decodeCursor(cursor);
  if (cursor !== undefined && !before) throw problems.badRequest("cursor is not one this API returned");
  const page = archive ? await archive.recent(key, limit + 1, before) : [];
  if (page.length === 0 && !before) throw problems.notFound(`no memory of user ${userId}`);
  const items = page.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(exchangeView),
    nextCursor: page.length > limit && last ? encodeCursor(last) : null,
  };
}
