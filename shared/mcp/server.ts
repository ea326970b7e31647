/**
 * The memory as Model Context Protocol tools, for agent frameworks. One server per request
 * (stateless Streamable HTTP, so it runs on Lambda as it runs on Node), bound to the tenant of the
 * API key: every user id a tool receives is qualified with it, exactly as the REST API does.
 */
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { z } from "zod";
import { toContextRequest, toExchangeInput } from "../api/inputs.js";
import { parseOrBadRequest } from "../api/parse.js";
import { problems } from "../api/problems.js";
import { archivePage, contextFor, selectionOf, sessionsOf } from "../api/reads.js";
import { ContextRequest, ListQuery, SessionsQuery, StoreRequest, UserParams } from "../api/schemas.js";
import { exchangeView } from "../api/views.js";
import { userKey } from "../domain/identity.js";
import type { KeyScope } from "../domain/scopes.js";
import { overallStatus } from "../memory/health-service.js";
import type { HierarchicalMemoryManager } from "../memory/manager.js";
import type { AuditLog } from "../util/audit.js";
import type { Logger } from "../util/logger.js";
import { registerMemoryTools } from "./memory-tools.js";
import { agentId, filter, parseFilterArgument, sessionId } from "./tool-arguments.js";
import { guardedWith, ok } from "./tool-kit.js";

export type McpMemory = Pick<
  HierarchicalMemoryManager,
  | "storeConversation"
  | "getConversationContext"
  | "assertKnownUser"
  | "listConversations"
  | "searchConversations"
  | "recentConversations"
  | "deleteUser"
  | "listSessions"
  | "pingTiers"
  | "mode"
  | "getMemory"
  | "memoryVersions"
  | "correctMemory"
  | "deleteMemory"
  | "storeNote"
  | "listNotes"
>;

export interface McpDeps {
  memory: McpMemory;
  tenantId: string;
  /** What the caller's key may do: each tool checks the scope it needs. */
  scopes: readonly KeyScope[];
  audit: AuditLog;
  /** Who asked (the key's id and the request), for the audit trail. */
  requester: { keyId: string; requestId: string };
  /** Where a tool's failure goes with its cause (the caller gets only the problem's detail). */
  logger: Logger;
}

const userId = UserParams.shape.userId.describe(
  "Your own id for the end user whose memory this is (1-128 of letters, digits and . _ : @ -).",
);

export function createMcpServer({ memory, tenantId, scopes, audit, logger, requester }: McpDeps): McpServer {
  const server = new McpServer({ name: "hierarchical-memory", version: "0.1.0" });
  const guarded = guardedWith(logger);
  const key = (id: string) => userKey(tenantId, id);
  const needs = (scope: KeyScope) => {
    if (!scopes.includes(scope)) throw problems.missingScope(scope);
  };

  server.registerTool(
    "remember",
    {
      title: "Remember an exchange or a note",
      description:
        "Stores one conversation turn (what the user said and what you answered), or a line the user said with no answer (userMessage only). It is kept permanently and used by recall. Returns the exchange id. For a fact you or an operator state, use remember_note.",
      inputSchema: {
        userId,
        userMessage: z.string().describe("What the user said, or the note to keep."),
        botResponse: z.string().optional().describe("What you answered; omit for a note."),
        speaker: z
          .string()
          .optional()
          .describe(
            "Who said userMessage, in a conversation between several people; omit for your own user.",
          ),
        sessionId: sessionId.describe("The thread, channel or conversation it belongs to, if any."),
        agentId: agentId.describe("Which bot or persona took part, if you run several."),
        metadata: z.record(z.string(), z.unknown()).optional().describe("Any JSON object to keep with it."),
        timestamp: z.string().optional().describe("ISO 8601 time it happened; default now."),
        idempotencyKey: z.string().max(255).optional().describe("Retries with the same key store it once."),
      },
    },
    guarded(async (args) => {
      needs("write");
      const body = parseOrBadRequest(StoreRequest, { ...args, botResponse: args.botResponse ?? "" });
      const result = await memory.storeConversation(
        toExchangeInput(tenantId, args.userId, body, args.idempotencyKey),
      );
      return ok({ ...result, userId: args.userId });
    }),
  );

  server.registerTool(
    "recall",
    {
      title: "Recall what to remember now",
      description:
        "Returns what is worth remembering about the user for the current message: recent turns, earlier exchanges, summaries and known facts, best first, each with its source and time. `degraded` names memory tiers that could not answer in time.",
      inputSchema: {
        userId,
        query: z.string().describe("The user's current message or the question to answer."),
        maxItems: z.number().int().optional().describe("At most this many items (1-200, default 20)."),
        tokenBudget: z.number().int().optional().describe("Stop adding items past about this many tokens."),
        sessionId: sessionId.describe("Keep to (or, with scope prefer, favour) this session."),
        agentId: agentId.describe("Keep to (or, with scope prefer, favour) this agent's exchanges."),
        scope: z
          .enum(["only", "prefer"])
          .optional()
          .describe(
            "With sessionId/agentId: only (default) recalls from within them, prefer ranks them first.",
          ),
        filter,
        asOf: z
          .string()
          .optional()
          .describe(
            "An ISO 8601 time with offset: recall as of then (the facts that held then, nothing stored after). Default: now.",
          ),
      },
    },
    guarded(async ({ userId: id, ...request }) => {
      needs("read");
      const context = await contextFor(
        memory,
        toContextRequest(tenantId, id, parseOrBadRequest(ContextRequest, request)),
      );
      const items = context.items;
      const until = (i: (typeof items)[number]) => (i.invalidAt ? ` (until ${i.invalidAt})` : "");
      const lines = items.map((i) => `- [${i.source}, ${i.timestamp}] ${i.text}${until(i)}`);
      const note = context.degraded.length > 0 ? `\n(not heard from: ${context.degraded.join(", ")})` : "";
      return ok(
        { userId: id, items, degraded: context.degraded, totalMs: context.totalMs },
        `${lines.join("\n") || "(nothing relevant)"}${note}`,
      );
    }),
  );

  server.registerTool(
    "search_archive",
    {
      title: "Search the archive",
      description:
        "Pages through everything stored for the user, newest first; with `query`, the exchanges that best match its words instead. Pass `nextCursor` back as `cursor` for the next page.",
      inputSchema: {
        userId,
        query: z.string().max(4000).optional().describe("Words to look for; omit to page through all."),
        cursor: z.string().optional().describe("The nextCursor of the previous page."),
        limit: z.number().int().optional().describe("Items per page (1-200, default 50)."),
        sessionId: sessionId.describe("Only this session's exchanges."),
        agentId: agentId.describe("Only this agent's exchanges."),
        filter,
      },
    },
    guarded(async ({ userId: id, query, cursor, limit: asked, sessionId: s, agentId: a, filter: f }) => {
      needs("read");
      const { limit, ...scope } = parseOrBadRequest(ListQuery, {
        cursor,
        limit: asked,
        sessionId: s,
        agentId: a,
      });
      const selection = selectionOf({ ...scope, filter: parseFilterArgument(f) });
      if (query?.trim()) {
        const hits = await memory.searchConversations(key(id), query, limit, selection);
        return ok({ userId: id, items: hits.map(exchangeView), nextCursor: null });
      }
      return ok({ userId: id, ...(await archivePage(memory, tenantId, id, cursor, limit, selection)) });
    }),
  );

  server.registerTool(
    "list_sessions",
    {
      title: "List a user's sessions",
      description:
        "The user's sessions (threads, channels, conversations), most recently active first: each one's id, first and last time, number of exchanges and agents.",
      inputSchema: {
        userId,
        limit: z.number().int().optional().describe("At most this many sessions (1-500, default 100)."),
      },
      annotations: { readOnlyHint: true },
    },
    guarded(async ({ userId: id, limit: asked }) => {
      needs("read");
      const { limit } = parseOrBadRequest(SessionsQuery, { limit: asked });
      return ok(await sessionsOf(memory, tenantId, id, limit));
    }),
  );

  server.registerTool(
    "forget",
    {
      title: "Forget a user",
      description:
        "Permanently erases everything stored about the user from every memory tier. Only call this when the user asked to be forgotten; set confirm to true to proceed.",
      inputSchema: {
        userId,
        confirm: z.boolean().describe("Must be true: erasing cannot be undone."),
      },
      annotations: { destructiveHint: true, idempotentHint: true },
    },
    guarded(async ({ userId: id, confirm }) => {
      needs("erase");
      if (confirm !== true) throw problems.badRequest("confirm must be true to erase a user");
      const { exchanges, pending } = await memory.deleteUser(key(id));
      audit.record({ event: "erase", via: "mcp", tenantId, ...requester, userId: id, exchanges, pending });
      if (exchanges === 0 && pending.length === 0) throw problems.notFound(`no memory of user ${id}`);
      return ok({ userId: id, erased: true, exchanges, pending });
    }),
  );

  registerMemoryTools(server, {
    memory,
    asker: { tenantId, ...requester, via: "mcp" },
    audit,
    needs,
    guarded,
  });

  server.registerTool(
    "memory_health",
    {
      title: "Memory health",
      description:
        "Whether each memory tier (Redis, Postgres, Chroma, Neo4j) answers now: ok or down, and overall ok, degraded (recall may miss some of what is remembered) or down (nothing can be stored).",
      inputSchema: {},
      annotations: { readOnlyHint: true },
    },
    // Shared state of the whole service: status only, nothing another tenant's traffic could show.
    guarded(async () => {
      const pings = await memory.pingTiers();
      const tiers = pings.map((p) => ({ tier: p.tier, status: p.ok ? "ok" : "down" }));
      return ok({ status: overallStatus(pings, memory.mode), tiers });
    }),
  );

  server.registerResource(
    "recent-conversation",
    new ResourceTemplate("memory://users/{userId}/recent", { list: undefined }),
    {
      title: "A user's recent conversation",
      description: "The user's last 20 exchanges, newest first, as JSON.",
      mimeType: "application/json",
    },
    async (uri, variables) => {
      needs("read");
      const id = parseOrBadRequest(UserParams, { userId: String(variables.userId) }).userId;
      const recent = await memory.recentConversations(key(id), 20);
      return {
        contents: [
          {
            uri: uri.href,
            mimeType: "application/json",
            text: JSON.stringify(recent.map(exchangeView), null, 2),
          },
        ],
      };
    },
  );
  return server;
}
