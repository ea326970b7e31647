/**
 * MCP tools for one memory at a time and notes, as the REST routes serve them (shared/api/memories):
 * get_memory, correct_memory, forget_memory, remember_note, list_notes. Bound to the key's tenant.
 */
import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import {
  type Asker,
  correct,
  forget,
  type MemoriesMemory,
  memoryOf,
  notesPage,
  toNoteInput,
  versionsOf,
} from "../api/memories.js";
import { CorrectionRequest, MemoryParams, NoteRequest, NotesQuery } from "../api/memory-schemas.js";
import { parseOrBadRequest } from "../api/parse.js";
import { problems } from "../api/problems.js";
import { selectionOf } from "../api/reads.js";
import { UserParams } from "../api/schemas.js";
import type { KeyScope } from "../domain/scopes.js";
import type { AuditLog } from "../util/audit.js";
import { agentId, filter, parseFilterArgument, sessionId } from "./tool-arguments.js";
import type { guardedWith } from "./tool-kit.js";
import { ok } from "./tool-kit.js";

export interface MemoryToolsDeps {
  memory: MemoriesMemory;
  asker: Asker;
  audit: AuditLog;
  needs: (scope: KeyScope) => void;
  guarded: ReturnType<typeof guardedWith>;
}

const userId = UserParams.shape.userId.describe("Your own id for the end user whose memory this is.");
const id = z.string().describe("The memory's id: the exchangeId a store or remember_note returned.");
const nullable = (what: string) => z.string().nullable().optional().describe(`${what}; null clears it.`);

export function registerMemoryTools(
  server: McpServer,
  { memory, asker, audit, needs, guarded }: MemoryToolsDeps,
) {
  const { tenantId } = asker;
  const params = (args: { userId: string; id: string }) => parseOrBadRequest(MemoryParams, args);

  server.registerTool(
    "get_memory",
    {
      title: "Read one memory",
      description:
        "One exchange or note of the user by its id, with its version; with versions true, also the earlier versions corrections replaced (who and when).",
      inputSchema: { userId, id, versions: z.boolean().optional().describe("Also list earlier versions.") },
      annotations: { readOnlyHint: true },
    },
    guarded(async ({ versions, ...args }) => {
      needs("read");
      const p = params(args);
      const view = await memoryOf(memory, tenantId, p.userId, p.id);
      if (!versions) return ok({ userId: p.userId, memory: view });
      const history = await versionsOf(memory, tenantId, p.userId, p.id);
      return ok({ userId: p.userId, memory: view, versions: history.versions });
    }),
  );

  server.registerTool(
    "correct_memory",
    {
      title: "Correct one memory",
      description:
        "Corrects one exchange (userMessage, botResponse, speaker) or note (text, source) and, for either, its session, agent or metadata. The earlier version is kept; every memory tier recomputes it. Returns the new version.",
      inputSchema: {
        userId,
        id,
        userMessage: z.string().optional().describe("An exchange's corrected user message."),
        botResponse: z.string().optional().describe("An exchange's corrected reply."),
        speaker: nullable("Who wrote userMessage"),
        text: z.string().optional().describe("A note's corrected text."),
        source: z.enum(["bot", "operator"]).optional().describe("Who stated a note."),
        sessionId: nullable("The session it belongs to"),
        agentId: nullable("The agent that took part"),
        metadata: z.record(z.string(), z.unknown()).optional().describe("Replaces the stored metadata."),
      },
    },
    guarded(async ({ userId: u, id: i, ...fields }) => {
      needs("write");
      const p = params({ userId: u, id: i });
      const body = parseOrBadRequest(CorrectionRequest, fields);
      return ok(await correct(memory, asker, p.userId, p.id, body));
    }),
  );

  server.registerTool(
    "forget_memory",
    {
      title: "Forget one memory",
      description:
        "Permanently erases one exchange or note from every memory tier (its summary and facts too). Set confirm to true to proceed.",
      inputSchema: { userId, id, confirm: z.boolean().describe("Must be true: erasing cannot be undone.") },
      annotations: { destructiveHint: true, idempotentHint: true },
    },
    guarded(async ({ confirm, ...args }) => {
      needs("erase");
      const p = params(args);
      if (confirm !== true) throw problems.badRequest("confirm must be true to erase a memory");
      const { pending } = await forget(memory, audit, asker, p.userId, p.id);
      return ok({ userId: p.userId, id: p.id, erased: true, pending });
    }),
  );

  server.registerTool(
    "remember_note",
    {
      title: "Remember a note",
      description:
        "Stores a fact you (the bot) or an operator state about the user, with no exchange: it is recalled as a note. Returns its id.",
      inputSchema: {
        userId,
        text: z.string().describe("The fact to keep."),
        source: z.enum(["bot", "operator"]).optional().describe("Who states it (default bot)."),
        sessionId: z.string().optional().describe("The session it belongs to, if any."),
        agentId: z.string().optional().describe("Which bot or persona, if you run several."),
        metadata: z.record(z.string(), z.unknown()).optional().describe("Any JSON object to keep with it."),
        idempotencyKey: z.string().max(255).optional().describe("Retries with the same key store it once."),
      },
    },
    guarded(async ({ userId: u, idempotencyKey, ...fields }) => {
      needs("write");
      const p = parseOrBadRequest(UserParams, { userId: u });
      const body = parseOrBadRequest(NoteRequest, fields);
      const result = await memory.storeNote(toNoteInput(tenantId, p.userId, body, idempotencyKey));
      return ok({ ...result, userId: p.userId });
    }),
  );

  server.registerTool(
    "list_notes",
    {
      title: "List a user's notes",
      description:
        "The user's notes, newest first; with sessionId, agentId or filter, only those they select. Pass nextCursor back as cursor for the next page.",
      inputSchema: {
        userId,
        cursor: z.string().optional().describe("The nextCursor of the previous page."),
        limit: z.number().int().optional().describe("Notes per page (1-200, default 50)."),
        sessionId: sessionId.describe("Only this session's notes."),
        agentId: agentId.describe("Only this agent's notes."),
        filter,
      },
      annotations: { readOnlyHint: true },
    },
    guarded(async ({ userId: u, cursor: c, limit: l, sessionId: s, agentId: a, filter: f }) => {
      needs("read");
      const p = parseOrBadRequest(UserParams, { userId: u });
      const { cursor, limit, ...scope } = parseOrBadRequest(NotesQuery, {
        cursor: c,
        limit: l,
        sessionId: s,
        agentId: a,
      });
      const selection = selectionOf({ ...scope, filter: parseFilterArgument(f) });
      return ok({
        userId: p.userId,
        ...(await notesPage(memory, tenantId, p.userId, cursor, limit, selection)),
      });
    }),
  );
}
