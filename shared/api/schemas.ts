/**
 * Request and response schemas of the API: the validation at the edge (REST, MCP, console) and the
 * OpenAPI document. The rules themselves (user ids, storable text, tiers) belong to the domain.
 */
import { z } from "@hono/zod-openapi";
import { FilterSyntaxError, parseFilter } from "../domain/filter-grammar.js";
import { tenantIdPattern, tenantIdRule, userIdPattern, userIdRule } from "../domain/identity.js";
import { isStorableText, jsonValueProblem, textBounds, unstorableRule } from "../domain/storable.js";
import { projectionTiers, tierNames } from "../domain/tiers.js";
import { exchangeKinds, noteSources } from "../domain/types.js";

export const UserId = z.string().regex(userIdPattern, `must be ${userIdRule}`);
export const TenantId = z.string().regex(tenantIdPattern, `must be a tenant id (${tenantIdRule})`);

export const UserParams = z.object({
  userId: UserId.openapi({ param: { name: "userId", in: "path" }, example: "discord-123456" }),
});

const storableText = (max: number) => z.string().max(max).refine(isStorableText, unstorableRule);

/** Session and agent ids take the same characters as user ids. */
export const SessionId = z.string().regex(userIdPattern, `must be ${userIdRule}`).openapi({
  description: "A thread, channel or conversation of the user's (1-128 of letters, digits and . _ : @ -).",
  example: "thread-42",
});
export const AgentId = z.string().regex(userIdPattern, `must be ${userIdRule}`).openapi({
  description: "Which bot or persona (1-128 of letters, digits and . _ : @ -).",
  example: "support-bot",
});
const scopeFields = { sessionId: SessionId.optional(), agentId: AgentId.optional() };

const filterDescription =
  'Only exchanges whose metadata and time match, in every tier (README, "Filters"). Fields: `metadata.<key>` (a top-level metadata key; a list matches when any element does) and `createdAt`. A field maps to a value (equality) or to operators `$eq`, `$ne`, `$in`, `$nin`, `$gt`, `$gte`, `$lt`, `$lte`; several clauses must all hold; `$and` and `$or` take lists of filters.';

const toFilter = (raw: unknown, ctx: z.RefinementCtx) => {
  try {
    return parseFilter(raw);
  } catch (error) {
    if (!(error instanceof FilterSyntaxError)) throw error;
    ctx.addIssue({ code: "custom", message: error.reason, path: error.path });
    return z.NEVER;
  }
};

/** A filter in a JSON body (REST context, MCP tools). */
export const MetadataFilter = z
  .record(z.string(), z.unknown())
  .transform(toFilter)
  .openapi({
    type: "object",
    description: filterDescription,
    example: {
      "metadata.topic": { $in: ["billing", "refunds"] },
      createdAt: { $gte: "2026-01-01T00:00:00Z" },
    },
  });

/** A filter in a query string: the same JSON, URL-encoded. */
export const MetadataFilterParam = z
  .string()
  .max(8000)
  .transform((text, ctx) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      ctx.addIssue({ code: "custom", message: "must be a JSON object (URL-encoded)" });
      return z.NEVER;
    }
  })
  .transform(toFilter)
  .openapi({ type: "string", description: `${filterDescription} JSON, URL-encoded.` });
/** A moment to see the memory as it stood then (ISO 8601 with an offset). */
export const AsOf = z.iso.datetime({ offset: true }).openapi({
  description:
    "See the memory as it stood at this moment: the facts that held then (default: those that hold now), and nothing stored after it.",
  example: "2025-06-01T12:00:00Z",
});
/** Metadata: any JSON object within the storable bounds. */
const MetadataField = z
  .record(z.string(), z.unknown())
  .superRefine((m, ctx) => {
    const problem = jsonValueProblem(m);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  })
  .openapi({
    description: "Any JSON object, nested at most 16 deep, with at most 1,000 keys and values.",
  });
const SpeakerField = storableText(textBounds.speaker).regex(/\S/, "must not be blank");

export const StoreRequest = z
  .object({
    userMessage: storableText(textBounds.message),
    botResponse: storableText(textBounds.message),
    speaker: SpeakerField.optional().openapi({
      description:
        "Who wrote userMessage, when the memory holds a conversation between people (a group chat, a transcript). A query naming the speaker favours what they said.",
      example: "Caroline",
    }),
    ...scopeFields,
    metadata: MetadataField.optional(),
    timestamp: z.iso
      .datetime({ offset: true })
      .optional()
      .openapi({ description: "When it happened; default now." }),
  })
  .refine((b) => b.userMessage.trim() !== "" || b.botResponse.trim() !== "", {
    message: "userMessage and botResponse cannot both be empty",
    path: ["userMessage"],
  })
  .openapi("StoreRequest");

export const IdempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({ description: "A retry with the same key returns the first answer and writes nothing." }),
});

export const StoreResponse = z
  .object({
    exchangeId: z.uuid(),
    userId: z.string(),
    duplicate: z.boolean(),
    pending: z.array(z.enum(projectionTiers)),
  })
  .openapi("StoreResponse");

export const ContextRequest = z
  .object({
    query: storableText(4000).min(1),
    maxRecentMessages: z.number().int().min(1).max(100).optional(),
    maxArchiveConversations: z.number().int().min(1).max(100).optional(),
    maxItems: z.number().int().min(1).max(200).optional(),
    tokenBudget: z.number().int().min(1).max(1_000_000).optional(),
    ...scopeFields,
    filter: MetadataFilter.optional(),
    scope: z.enum(["only", "prefer"]).optional().openapi({
      description:
        "With sessionId and/or agentId: `only` (default) answers from within them in every tier; `prefer` answers from everything, ranking what is within them higher.",
    }),
    asOf: AsOf.optional(),
  })
  .refine((b) => b.scope === undefined || b.sessionId !== undefined || b.agentId !== undefined, {
    message: "scope needs a sessionId or an agentId",
    path: ["scope"],
  })
  .openapi("ContextRequest");

const TierTiming = z.object({
  status: z.enum(["ok", "error", "late", "disabled", "skipped"]),
  ms: z.number(),
  items: z.number(),
  error: z
    .string()
    .optional()
    .openapi({ description: "Why the tier failed, as a code", example: "unreachable" }),
});

export const ContextResponse = z
  .object({
    userId: z.string(),
    items: z.array(
      z.object({
        source: z.enum(["recent", "archive", "semantic", "summary", "graph"]),
        text: z.string(),
        timestamp: z.string(),
        score: z.number(),
        exchangeIds: z.array(z.string()),
        sessionId: z.string().optional(),
        agentId: z.string().optional(),
        validFrom: z.string().optional().openapi({
          description: "A graph fact's: since when it holds (its exchange's time).",
        }),
        superseded: z.boolean().optional().openapi({
          description:
            "An exchange whose claims later statements superseded (the user moved since): what was said, no longer what holds; ranked lower.",
        }),
        invalidAt: z.string().optional().openapi({
          description:
            "A graph fact's: when a later statement ended it (only with asOf; absent while it holds).",
        }),
      }),
    ),
    degraded: z.array(z.enum(tierNames)),
    timings: z.record(z.string(), TierTiming),
    totalMs: z.number(),
  })
  .openapi("ContextResponse");

export const EraseResponse = z
  .object({
    erased: z.literal(true),
    exchanges: z.number().int(),
    pending: z.array(z.enum(projectionTiers)),
  })
  .openapi("EraseAccepted");

export const ListQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  ...scopeFields,
  filter: MetadataFilterParam.optional(),
});

export const SessionsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const SessionsResponse = z
  .object({
    userId: z.string(),
    sessions: z.array(
      z.object({
        sessionId: z.string(),
        firstAt: z.string(),
        lastAt: z.string(),
        exchanges: z.number().int(),
        agentIds: z.array(z.string()),
      }),
    ),
  })
  .openapi("Sessions");

export const ExchangeView = z
  .object({
    id: z.string(),
    kind: z.enum(exchangeKinds).openapi({ description: "An exchange, or a note (a fact with no exchange)." }),
    version: z.number().int().openapi({ description: "1 as stored; each correction adds one." }),
    text: z.string().optional().openapi({ description: "A note's text (its userMessage)." }),
    source: z.enum(noteSources).optional().openapi({ description: "Who stated a note." }),
    userMessage: z.string(),
    botResponse: z.string(),
    speaker: z.string().optional(),
    sessionId: z.string().optional(),
    agentId: z.string().optional(),
    metadata: z.record(z.string(), z.unknown()),
    createdAt: z.string(),
  })
  .openapi("Exchange");

export const ListResponse = z
  .object({ items: z.array(ExchangeView), nextCursor: z.string().nullable() })
  .openapi("ExchangePage");

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number(),
    detail: z.string(),
    instance: z.string().optional(),
    requestId: z.string().optional(),
  })
  .openapi("Problem");

export const ExportResponse = z
  .object({
    userId: z.string(),
    exportedAt: z.string(),
    exchanges: z.array(ExchangeView),
    versions: z
      .record(z.string(), z.array(z.record(z.string(), z.unknown())))
      .openapi({ description: "Earlier versions of corrected exchanges and notes, by exchange id." }),
    summaries: z.array(z.record(z.string(), z.unknown())),
    recentCache: z.array(z.record(z.string(), z.unknown())),
    graph: z.object({
      entities: z.array(z.record(z.string(), z.unknown())),
      facts: z.array(z.record(z.string(), z.unknown())),
    }),
  })
  .openapi("UserExport");
