/**
 * What a validated request becomes for the memory, the same for REST and MCP: the user is always
 * qualified with the tenant of the API key (see domain/identity).
 */
import type { z } from "@hono/zod-openapi";
import { userKey } from "../domain/identity.js";
import { type ExchangeInput, scopeOf } from "../domain/types.js";
import type { ContextRequest as MemoryContextRequest } from "../memory/assembler/types.js";
import type { ContextRequest, StoreRequest } from "./schemas.js";

export function toExchangeInput(
  tenantId: string,
  userId: string,
  body: z.infer<typeof StoreRequest>,
  idempotencyKey?: string,
): ExchangeInput {
  return {
    userId: userKey(tenantId, userId),
    userMessage: body.userMessage,
    botResponse: body.botResponse,
    speaker: body.speaker,
    sessionId: body.sessionId,
    agentId: body.agentId,
    metadata: body.metadata,
    timestamp: body.timestamp ? new Date(body.timestamp) : undefined,
    idempotencyKey,
  };
}

export function toContextRequest(
  tenantId: string,
  userId: string,
  { query, sessionId, agentId, scope, filter, asOf, ...limits }: z.infer<typeof ContextRequest>,
): MemoryContextRequest {
  return {
    userId: userKey(tenantId, userId),
    currentQuery: query,
    ...limits,
    ...(filter ? { filter } : {}),
    ...(asOf ? { asOf: new Date(asOf) } : {}),
    ...(sessionId || agentId ? { scope: scopeOf({ sessionId, agentId }), scopeMode: scope ?? "only" } : {}),
  };
}
