/**
 * The optional model claim proposer (shared/processing/llm-claims.ts) against a stand-in for an
 * OpenAI-compatible server (node:http, POST /v1/chat/completions) started here: a good answer adds
 * claims beside the rules', a timeout, an exhausted retry or a malformed answer leaves the rules'
 * facts alone, a 5xx is retried; through the memory, the archive keeps every exchange as stored.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../shared/config/index.js";
import type { Exchange } from "../../shared/domain/types.js";
import { createProcessing, extractionOf } from "../../shared/processing/index.js";
import { ChatClaimProposer } from "../../shared/processing/llm-claims.js";
import { uniqueId } from "../helpers/ids.js";
import { inMemoryApi } from "../helpers/in-memory-api.js";

type Reply = (req: IncomingMessage, res: ServerResponse, body: string) => void;
const replies: Reply[] = [];
const seen: { path?: string; auth?: string; body: Record<string, unknown> }[] = [];
const chat =
  (content: string): Reply =>
  (_, res) => {
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ choices: [{ message: { role: "assistant", content } }] }));
  };
const status =
  (code: number): Reply =>
  (_, res) => {
    res.writeHead(code, { "content-type": "application/json" });
    res.end("{}");
  };
const claims = (list: object[]) => chat(JSON.stringify({ claims: list }));

const server = createServer((req, res) => {
  let body = "";
  req.on("data", (chunk) => {
    body += chunk;
  });
  req.on("end", () => {
    seen.push({ path: req.url, auth: req.headers.authorization, body: JSON.parse(body || "{}") });
    (replies.shift() ?? status(500))(req, res, body);
  });
});
let url = "";
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  replies.length = 0;
  seen.length = 0;
});

const failures: unknown[] = [];
const processing = () =>
  createProcessing(
    { provider: "hashing", localModel: "e5-small-v2", model: "unused", dimensions: 64, modelDir: "unused" },
    { provider: "openai-compatible", url, apiKey: "sk-test", model: "stand-in", timeoutMs: 300, retries: 2 },
    (e) => failures.push(e),
  );
const exchange = (userMessage: string): Exchange => ({
  id: crypto.randomUUID(),
  userId: "u",
  ordinal: 1,
  kind: "exchange",
  version: 1,
  userMessage,
  botResponse: "Ok.",
  metadata: {},
  createdAt: new Date(),
});
const claimsOf = async (userMessage: string) =>
  (await extractionOf(processing(), exchange(userMessage))).facts.flatMap((f) =>
    f.claim ? [[f.text, f.claim.slot]] : [],
  );

describe("a model proposing claims beside the rules", () => {
  it("a good answer adds the claims the rules missed, asked as a chat completion", async () => {
    replies.push(claims([{ subject: null, relation: "lives_in", value: "Porto", negated: false }]));
    expect(await claimsOf("Home is Porto these days.")).toEqual([["User lives in Porto.", "user|lives_in"]]);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ path: "/v1/chat/completions", auth: "Bearer sk-test" });
    expect(seen[0]?.body).toMatchObject({ model: "stand-in", temperature: 0 });
    expect(JSON.stringify(seen[0]?.body.messages)).toContain("Home is Porto these days.");
  });

  it("the rules decide a slot they claimed; the model's other slots and other subjects are added", async () => {
    replies.push(
      claims([
        { subject: null, relation: "lives_in", value: "Braga" },
        { subject: { name: "Ana", kind: "person" }, relation: "works_at", value: "a bakery" },
      ]),
    );
    expect(await claimsOf("I live in Lisbon. Ana bakes bread for a living.")).toEqual([
      ["User lives in Lisbon.", "user|lives_in"],
      ["Ana works at a bakery.", "ana|works_at"],
    ]);
  });

  it("a timeout leaves the rules' facts, without a retry", async () => {
    replies.push((_, res) => setTimeout(() => chat('{"claims": []}')(_ as never, res, ""), 1_000));
    failures.length = 0;
    expect(await claimsOf("I live in Lisbon.")).toEqual([["User lives in Lisbon.", "user|lives_in"]]);
    expect(seen).toHaveLength(1);
    expect(failures).toEqual([expect.objectContaining({ code: "timeout" })]);
  });

  it("a 5xx is retried, and the answer after it counts", async () => {
    replies.push(status(503), claims([{ relation: "favourite_colour", value: "green" }]));
    expect(await claimsOf("Green is the best colour.")).toEqual([
      ["User's favourite colour is green.", "user|favourite_colour"],
    ]);
    expect(seen).toHaveLength(2);
  });

  it("retries run out: the rules' facts stand alone", async () => {
    replies.push(status(500), status(502), status(503));
    expect(await claimsOf("Home is Porto.")).toEqual([]);
    expect(seen).toHaveLength(3);
  });

  it("a malformed answer (not JSON, or not claims) proposes nothing", async () => {
    for (const bad of [
      chat("Sure! The user lives in Porto."),
      claims([{ relation: "Lives In!", value: "x" }]),
      status(400),
    ]) {
      replies.push(bad);
      failures.length = 0;
      expect(await claimsOf("I live in Lisbon.")).toEqual([["User lives in Lisbon.", "user|lives_in"]]);
      expect(failures).toEqual([expect.objectContaining({ code: "unexpected-answer" })]);
    }
  });

  it("asks nothing for an exchange with no user message", async () => {
    const proposer = new ChatClaimProposer({ url, model: "m", timeoutMs: 100, retries: 0 });
    expect(await proposer.propose({ userMessage: "  " })).toEqual([]);
    expect(seen).toHaveLength(0);
  });
});

describe("the model through the memory", () => {
  it("adds its facts to the graph and never changes the archive, even when it answers nonsense", async () => {
    const api = inMemoryApi({
      HIERARCHICAL_MEMORY_FACT_EXTRACTOR: "openai-compatible",
      HIERARCHICAL_MEMORY_FACT_EXTRACTOR_URL: url,
      HIERARCHICAL_MEMORY_FACT_EXTRACTOR_TIMEOUT: "500",
    });
    const tenant = await api.tenant();
    const userId = uniqueId("llm");
    replies.push(claims([{ relation: "lives_in", value: "Porto" }]), chat("{ nonsense"));
    for (const userMessage of ["Home is Porto these days.", "I adopted a cat."]) {
      const res = await tenant.call(`/v1/users/${userId}/conversations`, {
        method: "POST",
        json: { userMessage, botResponse: "Ok." },
      });
      expect(res.status).toBe(201);
    }
    // The projections ask the stand-in in the background (in either order: the answers' facts are
    // the same): wait until the graph has their facts.
    const graphFacts = async () =>
      ((await (await tenant.call(`/v1/users/${userId}/export`)).json()) as { graph: { facts: unknown[] } })
        .graph.facts.length;
    for (let i = 0; i < 200 && (await graphFacts()) < 3; i++) {
      await new Promise((r) => setTimeout(r, 25));
      await api.manager.reconcile();
    }
    const exported = (await (await tenant.call(`/v1/users/${userId}/export`)).json()) as {
      exchanges: { userMessage: string }[];
      graph: { facts: { text: string }[] };
    };
    expect(exported.exchanges.map((e) => e.userMessage).sort()).toEqual(
      ["Home is Porto these days.", "I adopted a cat."].sort(),
    );
    // The rules' own fact of the sentence stays beside the model's claim (it cannot say which sentence it read).
    expect(exported.graph.facts.map((f) => f.text).sort()).toEqual([
      "Home is Porto these days.",
      "User has a cat.",
      "User lives in Porto.",
    ]);
    expect(api.logs.some((l) => l.level === "warn" && l.message.startsWith("fact extractor failed"))).toBe(
      true,
    );
  });

  it("is configured once: the provider needs its URL", () => {
    const problems = (() => {
      try {
        loadConfig({
          HIERARCHICAL_MEMORY_POSTGRESQL_URL: "postgresql://x/y",
          HIERARCHICAL_MEMORY_REDIS_ENABLED: "false",
          HIERARCHICAL_MEMORY_CHROMADB_ENABLED: "false",
          HIERARCHICAL_MEMORY_NEO4J_ENABLED: "false",
          HIERARCHICAL_MEMORY_FACT_EXTRACTOR: "openai-compatible",
        });
      } catch (error) {
        if (error instanceof ConfigError) return error.problems;
      }
      return [];
    })();
    expect(problems).toContain(
      "HIERARCHICAL_MEMORY_FACT_EXTRACTOR_URL: required while HIERARCHICAL_MEMORY_FACT_EXTRACTOR is openai-compatible",
    );
  });
});
