/** Request and response schemas of the HTTP API: the validation at the edge and the OpenAPI document. */
import { z } from "@hono/zod-openapi";

export const UserParams = z.object({
  userId: z
    .string()
    .regex(/^[A-Za-z0-9._:@-]{1,128}$/, "must be 1-128 characters of letters, digits and . _ : @ -")
    .openapi({ param: { name: "userId", in: "path" }, example: "discord-123456" }),
});

/** Postgres stores neither NUL nor unpaired UTF-16 surrogates; refuse them rather than alter the text. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching NUL is the point.
const unstorable = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const unstorableMessage = "must not contain NUL (U+0000) or unpaired surrogates, which cannot be stored";
function hasUnstorable(value: unknown): boolean {
  if (typeof value === "string") return unstorable.test(value);
  if (Array.isArray(value)) return value.some(hasUnstorable);
  if (value && typeof value === "object")
    return Object.entries(value).some(([k, v]) => unstorable.test(k) || hasUnstorable(v));
  return false;
}
const storableText = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !unstorable.test(s), unstorableMessage);

export const StoreRequest = z
  .object({
    userMessage: storableText(32_000),
    botResponse: storableText(32_000),
    speaker: storableText(200).regex(/\S/, "must not be blank").optional().openapi({
      description:
        "Who wrote userMessage, when the memory holds a conversation between people (a group chat, a transcript). A query naming the speaker favours what they said.",
      example: "Caroline",
    }),
    metadata: z
      .record(z.string(), z.unknown())
      .refine((m) => !hasUnstorable(m), unstorableMessage)
      .optional(),
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
    pending: z.array(z.enum(["redis", "chroma", "neo4j"])),
  })
  .openapi("StoreResponse");

export const ContextRequest = z
  .object({
    query: storableText(4000).min(1),
    maxRecentMessages: z.number().int().min(1).max(100).optional(),
    maxArchiveConversations: z.number().int().min(1).max(100).optional(),
    maxItems: z.number().int().min(1).max(200).optional(),
    tokenBudget: z.number().int().min(1).max(1_000_000).optional(),
  })
  .openapi("ContextRequest");

const TierTiming = z.object({
  status: z.enum(["ok", "error", "late", "disabled", "skipped"]),
  ms: z.number(),
  items: z.number(),
  error: z.string().optional(),
});

export const ContextResponse = z
  .object({
    userId: z.string(),
    items: z.array(
      z.object({
        source: z.enum(["recent", "archive", "summary", "graph"]),
        text: z.string(),
        timestamp: z.string(),
        score: z.number(),
        exchangeIds: z.array(z.string()),
      }),
    ),
    degraded: z.array(z.enum(["redis", "postgres", "chroma", "neo4j"])),
    timings: z.record(z.string(), TierTiming),
    totalMs: z.number(),
  })
  .openapi("ContextResponse");

export const ListQuery = z.object({
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export const ExchangeView = z
  .object({
    id: z.string(),
    userMessage: z.string(),
    botResponse: z.string(),
    speaker: z.string().optional(),
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
    summaries: z.array(z.record(z.string(), z.unknown())),
    recentCache: z.array(z.record(z.string(), z.unknown())),
    graph: z.object({
      entities: z.array(z.record(z.string(), z.unknown())),
      facts: z.array(z.record(z.string(), z.unknown())),
    }),
  })
  .openapi("UserExport");
