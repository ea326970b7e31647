/**
 * Request and response schemas of one memory at a time (read, correct, versions, delete) and of
 * notes: the validation at the edge (REST, MCP) and the OpenAPI document.
 */
import { z } from "@hono/zod-openapi";
import { isStorableText, textBounds, unstorableRule } from "../domain/storable.js";
import { projectionTiers } from "../domain/tiers.js";
import { noteSources } from "../domain/types.js";
import { AgentId, ExchangeView, ListQuery, SessionId, StoreRequest, UserId } from "./schemas.js";

const storableText = (max: number) => z.string().max(max).refine(isStorableText, unstorableRule);
const store = StoreRequest.shape;

export const MemoryId = z.uuid({ error: "must be a memory id (a UUID)" });

export const MemoryParams = z.object({
  userId: UserId.openapi({ param: { name: "userId", in: "path" }, example: "discord-123456" }),
  id: MemoryId.openapi({
    param: { name: "id", in: "path" },
    example: "0b9c7a52-3f0e-4a59-9d1f-6f4f8f0b2a11",
  }),
});

export const NoteText = storableText(textBounds.message).regex(/\S/, "must not be blank");
export const NoteSource = z.enum(noteSources);

export const CorrectionRequest = z
  .object({
    userMessage: store.userMessage.optional(),
    botResponse: store.botResponse.optional(),
    speaker: store.speaker.nullable().optional().openapi({ description: "null clears it." }),
    text: NoteText.optional().openapi({ description: "A note's new text (notes only)." }),
    source: NoteSource.optional().openapi({ description: "Who stated a note (notes only)." }),
    sessionId: SessionId.nullable().optional().openapi({ description: "null clears it." }),
    agentId: AgentId.nullable().optional().openapi({ description: "null clears it." }),
    metadata: store.metadata,
  })
  .strict()
  .refine((b) => Object.values(b).some((v) => v !== undefined), {
    message: "name at least one field to correct",
  })
  .openapi("CorrectionRequest");

export const CorrectionResponse = z
  .object({
    userId: z.string(),
    memory: ExchangeView,
    pending: z.array(z.enum(projectionTiers)).openapi({
      description: "Tiers not yet recomputed when this answered; the outbox recomputes them.",
    }),
  })
  .openapi("Correction");

export const VersionsResponse = z
  .object({
    userId: z.string(),
    id: z.string(),
    version: z.number().int().openapi({ description: "The current version." }),
    versions: z.array(
      z.object({
        version: z.number().int(),
        userMessage: z.string(),
        botResponse: z.string(),
        speaker: z.string().optional(),
        sessionId: z.string().optional(),
        agentId: z.string().optional(),
        metadata: z.record(z.string(), z.unknown()),
        changedBy: z.string().openapi({ description: "Who replaced this version (an API key id, mcp:...)." }),
        changedAt: z.string().openapi({ description: "When it was replaced." }),
      }),
    ),
  })
  .openapi("MemoryVersions");

export const NoteRequest = z
  .object({
    text: NoteText,
    source: NoteSource.default("bot").openapi({ description: "Who states it: bot (default) or operator." }),
    sessionId: store.sessionId,
    agentId: store.agentId,
    metadata: store.metadata,
    timestamp: store.timestamp,
  })
  .openapi("NoteRequest");

/** The notes listing takes what the archive listing takes. */
export const NotesQuery = ListQuery;
