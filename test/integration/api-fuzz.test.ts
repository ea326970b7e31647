/**
 * Whatever a client sends, the API never answers 5xx, a rejected request changes nothing, and no
 * request reaches another tenant's memory.
 * Property-based: fast-check generates bodies, ids and headers (unicode, nesting, injection strings).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { startApi } from "../helpers/api.js";

const api = await startApi();
const t = await api.tenant();
/** Another tenant's user, whose memory no fuzzed request may see or change. */
const other = await api.tenant();
const marker = `marker-${crypto.randomUUID()}`;
const stored = await other.call("/v1/users/bystander/conversations", {
  method: "POST",
  json: {
    userMessage: `My locker code is ${marker}`,
    botResponse: "Noted.",
    sessionId: "home",
    agentId: "buddy",
  },
});
/** The bystander's exchange id: fuzzed reads, corrections and deletes by id aim at it too. */
const { exchangeId: theirs } = (await stored.json()) as { exchangeId: string };
await api.manager.reconcile();
const exportOf = async () => {
  const { exportedAt: _, ...held } = await api.manager.exportUser(`${other.tenantId}/bystander`);
  return held;
};
const before = await exportOf();

const injections = fc.constantFrom(
  "'; DROP TABLE exchanges; --",
  '") MATCH (n) DETACH DELETE n //',
  '{"$ne": null}',
  "*\r\nFLUSHALL\r\n",
  "../../etc/passwd",
  "\u0000\uFFFF\uD800",
  "🧠".repeat(50),
  "what did we say on 31 December 9999, in May 0042 or 999 years ago?",
);
const text = fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), injections);
/** Filters near the grammar: real fields and operators, with injections and junk for values. */
const operand = fc.oneof(text, fc.double(), fc.boolean(), fc.jsonValue({ maxDepth: 2 }));
const field = fc.oneof(
  fc.constant("createdAt"),
  text.map((t) => `metadata.${t}`),
  text,
);
const operator = fc.constantFrom("$eq", "$ne", "$in", "$nin", "$gt", "$gte", "$lt", "$lte", "$regex", "$or");
const clause = fc.dictionary(
  field,
  fc.oneof(operand, fc.dictionary(operator, fc.oneof(operand, fc.array(operand, { maxLength: 4 })))),
  { maxKeys: 3 },
);
const { filter } = fc.letrec((tie) => ({
  filter: fc.oneof(
    { depthSize: "small" },
    clause,
    fc.record({ $or: fc.array(tie("filter"), { maxLength: 3 }) }),
    fc.record({ $and: fc.array(tie("filter"), { maxLength: 3 }) }),
  ),
}));
const json = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }),
  fc.record(
    {
      userMessage: text,
      botResponse: text,
      speaker: text,
      sessionId: text,
      agentId: text,
      metadata: fc.jsonValue({ maxDepth: 4 }),
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      query: text,
      maxItems: fc.integer(),
      maxRecentMessages: fc.double(),
      sessionId: text,
      agentId: text,
      scope: fc.oneof(fc.constantFrom("only", "prefer"), text),
      filter: fc.oneof(filter, fc.jsonValue({ maxDepth: 3 })),
      asOf: fc.oneof(
        fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
        fc.constantFrom("2025-02-30T00:00:00Z", "-271821-04-20T00:00:00Z", "+275760-09-13T00:00:01Z"),
        text,
      ),
    },
    { requiredKeys: [] },
  ),
  // A note, and a correction of an exchange or a note.
  fc.record(
    {
      text,
      source: fc.oneof(fc.constantFrom("bot", "operator"), text),
      sessionId: text,
      metadata: fc.jsonValue({ maxDepth: 4 }),
      userMessage: text,
      botResponse: text,
      speaker: fc.oneof(text, fc.constant(null)),
      agentId: fc.oneof(text, fc.constant(null)),
    },
    { requiredKeys: [] },
  ),
);
/** URLs and headers cannot carry lone surrogates; bodies can, and do. */
const encode = (s: string) => encodeURIComponent(s.replace(/[\uD800-\uDFFF]/g, "\uFFFD"));
const userId = fc.oneof(fc.stringMatching(/^[A-Za-z0-9._:@-]{1,20}$/), text.map(encode));
const route = fc.oneof(
  fc.constantFrom(
    ["POST", "conversations"],
    ["POST", "context"],
    ["GET", "conversations"],
    ["GET", "sessions"],
    ["GET", "export"],
    ["DELETE", ""],
  ),
  // The archive's and the sessions' query filters, fuzzed.
  fc
    .tuple(fc.constantFrom("sessionId", "agentId", "limit", "cursor"), text)
    .map(([name, value]) => ["GET", `conversations?${name}=${encode(value)}`]),
  text.map((value) => ["GET", `sessions?limit=${encode(value)}`]),
  fc
    .oneof(
      filter.map((f) => JSON.stringify(f)),
      text,
    )
    .map((value) => ["GET", `conversations?filter=${encode(value)}`]),
  // Notes, and one memory by id: another tenant's real id, an unknown one, or anything at all.
  fc.constantFrom(["POST", "notes"], ["GET", "notes"]),
  fc
    .tuple(fc.constantFrom("limit", "cursor"), text)
    .map(([name, value]) => ["GET", `notes?${name}=${encode(value)}`]),
  fc
    .tuple(
      fc.constantFrom("GET", "PATCH", "DELETE"),
      fc.oneof(fc.constant(theirs), fc.uuid(), text.map(encode)),
      fc.constantFrom("", "/versions"),
    )
    .map(([method, memoryId, tail]) => [method, `conversations/${memoryId}${tail}`]),
);

describe("fuzzing every endpoint", () => {
  it("never answers 5xx and never stores a rejected request", { timeout: 120_000 }, async () => {
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(route, userId, json, fc.option(text), async ([method, suffix], id, body, idemKey) => {
        tried++;
        const path = `/v1/users/${id}${suffix ? `/${suffix}` : ""}`;
        const res = await t.call(path, {
          method,
          body: method === "POST" || method === "PATCH" ? JSON.stringify(body) : undefined,
          headers: {
            "content-type": "application/json",
            ...(idemKey ? { "idempotency-key": encode(idemKey).slice(0, 300) } : {}),
          },
        });
        expect(res.status, `${method} ${path} ${JSON.stringify(body).slice(0, 200)}`).toBeLessThan(500);
        expect(await res.clone().text()).not.toContain(marker);
        if (method === "POST" && (suffix === "conversations" || suffix === "notes") && res.status === 400) {
          const safe = /^[A-Za-z0-9._:@-]{1,128}$/.test(id);
          if (safe) expect(await api.stores.archive?.exchangeCount(`${t.tenantId}/${id}`)).toBe(0);
        }
        await res.arrayBuffer();
      }),
      { numRuns: 300 },
    );
    expect(tried).toBeGreaterThanOrEqual(300);
    expect(await exportOf()).toEqual(before);
    expect(before.exchanges).toHaveLength(1);
  });
});
