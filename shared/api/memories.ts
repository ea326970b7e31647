/**
 * One memory at a time and notes, as the REST routes and the MCP tools both serve them: the user is
 * qualified with the tenant of the key, and an id of another user or tenant is a 404 like an
 * unknown one (the memory answers NotFoundError for both).
 */
import type { z } from "@hono/zod-openapi";
import type { Selection } from "../domain/filter.js";
import { userKey } from "../domain/identity.js";
import type { ProjectionTier } from "../domain/tiers.js";
import { scopeOf } from "../domain/types.js";
import type { HierarchicalMemoryManager, NoteInput } from "../memory/manager.js";
import type { AuditLog } from "../util/audit.js";
import type { CorrectionRequest, NoteRequest } from "./memory-schemas.js";
import { pageVia } from "./reads.js";
import { exchangeView, versionView } from "./views.js";

export type MemoriesMemory = Pick<
  HierarchicalMemoryManager,
  "getMemory" | "memoryVersions" | "correctMemory" | "deleteMemory" | "storeNote" | "listNotes"
>;

/** Who asked, for the audit trail and the versions a correction keeps. */
export interface Asker {
  tenantId: string;
  keyId: string;
  requestId: string;
  via: "rest" | "mcp";
}

export async function memoryOf(memory: MemoriesMemory, tenantId: string, userId: string, id: string) {
  return exchangeView(await memory.getMemory(userKey(tenantId, userId), id));
}

export async function versionsOf(memory: MemoriesMemory, tenantId: string, userId: string, id: string) {
  const key = userKey(tenantId, userId);
  const current = await memory.getMemory(key, id);
  const versions = await memory.memoryVersions(key, id);
  return { userId, id, version: current.version, versions: versions.map(versionView) };
}

/** Who a correction names: the key's id (MCP's prefixed, so a version tells which edge changed it). */
const changedBy = (asker: Asker) => (asker.via === "mcp" ? `mcp:${asker.keyId}` : asker.keyId);

export async function correct(
  memory: MemoriesMemory,
  asker: Asker,
  userId: string,
  id: string,
  body: z.infer<typeof CorrectionRequest>,
) {
  const { sessionId, agentId, speaker, ...rest } = body;
  const { exchange, pending } = await memory.correctMemory(
    userKey(asker.tenantId, userId),
    id,
    { ...rest, sessionId, agentId, speaker },
    changedBy(asker),
  );
  return { userId, memory: exchangeView(exchange), pending };
}

/**
 * Erases one memory; audited once the archive has committed (from then on it is finished, whatever
 * fails). Returns the tiers the worker still has to erase.
 */
export async function forget(
  memory: MemoriesMemory,
  audit: AuditLog,
  asker: Asker,
  userId: string,
  id: string,
): Promise<{ pending: ProjectionTier[] }> {
  const { pending } = await memory.deleteMemory(userKey(asker.tenantId, userId), id);
  const { via, ...who } = asker;
  audit.record({ event: "erase-memory", via, ...who, userId, memoryId: id, pending });
  return { pending };
}

export function toNoteInput(
  tenantId: string,
  userId: string,
  body: z.infer<typeof NoteRequest>,
  idempotencyKey?: string,
): NoteInput {
  return {
    userId: userKey(tenantId, userId),
    text: body.text,
    source: body.source,
    ...scopeOf(body),
    metadata: body.metadata,
    timestamp: body.timestamp ? new Date(body.timestamp) : undefined,
    idempotencyKey,
  };
}

/** A page of the user's notes, newest first, after a cursor this API returned. */
export const notesPage = (
  memory: MemoriesMemory,
  ...page: [
    tenantId: string,
    userId: string,
    cursor: string | undefined,
    limit: number,
    selection?: Selection,
  ]
) => pageVia((...args) => memory.listNotes(...args), ...page);
