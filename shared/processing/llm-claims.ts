/**
 * Claims an OpenAI-compatible chat model proposes (POST {url}/chat/completions), beside the rules'.
 * Optional, by config (HIERARCHICAL_MEMORY_FACT_EXTRACTOR). It only proposes: what it says becomes
 * graph facts the archive can always rebuild without it, and nothing it answers deletes anything.
 * Each attempt has a timeout; a 5xx, a 429 or a network error is retried with backoff (a timeout is
 * not: a slow model would be slow again); a late, failed or malformed answer proposes nothing, and
 * the rules' facts stand alone.
 */
import { z } from "zod";
import { MemoryError, TimeoutError } from "../errors/memory-error.js";
import type { FoundClaim } from "./claims.js";

/** What a proposer reads: what the user said, and who said it when it was not the user. */
export interface ClaimInput {
  userMessage: string;
  speaker?: string;
}

export interface ClaimProposer {
  readonly name: string;
  /** Never throws: a failure proposes nothing (and is reported to `onFailure`). */
  propose(input: ClaimInput): Promise<FoundClaim[]>;
}

export interface ChatClaimProposerOptions {
  /** Base URL, up to and including /v1. */
  url: string;
  apiKey?: string;
  model: string;
  /** Per attempt, ms. */
  timeoutMs: number;
  /** Further attempts after a 5xx, a 429 or a network error. */
  retries: number;
  /** First backoff, ms, doubling per attempt; default 200. */
  backoffMs?: number;
  onFailure?: (error: unknown) => void;
}

const Answer = z.object({
  claims: z
    .array(
      z.object({
        subject: z
          .object({ name: z.string().min(1).max(100), kind: z.enum(["person", "role"]) })
          .nullable()
          .optional(),
        relation: z.string().regex(/^[a-z][a-z0-9_]{1,39}$/),
        value: z.string().trim().min(1).max(100),
        negated: z.boolean().optional(),
      }),
    )
    .max(20),
});

const instructions = `You extract facts a user asserts, for a memory. Answer only with JSON: {"claims": [{"subject": null, "relation": "lives_in", "value": "Porto", "negated": false}]}.
subject: null for the one speaking, else {"name": "Ana", "kind": "person"} or {"name": "sister", "kind": "role"} for someone they talk about.
relation: one of lives_in, from, works_at, works_as, name, age, partner, favourite_<thing>, has_pet, likes, dislikes, or another short snake_case relation.
Only what is asserted: nothing from questions, wishes, plans, conditions or hypotheticals. "I don't live in Lisbon anymore" is {"relation": "lives_in", "value": "Lisbon", "negated": true}. No claims: {"claims": []}.`;

/** Thrown for an answer that is not the JSON asked for; it proposes nothing. */
class MalformedAnswerError extends MemoryError {
  constructor(detail: string) {
    super("unexpected-answer", `fact extractor: malformed answer (${detail})`);
  }
}

export class ChatClaimProposer implements ClaimProposer {
  readonly name = "openai-compatible";
  readonly #o: ChatClaimProposerOptions;

  constructor(options: ChatClaimProposerOptions) {
    this.#o = options;
  }

  async propose(input: ClaimInput): Promise<FoundClaim[]> {
    if (input.userMessage.trim() === "") return [];
    try {
      return parseClaims(await this.#complete(input));
    } catch (error) {
      this.#o.onFailure?.(error);
      return [];
    }
  }

  /** The model's message content, after retries. */
  async #complete(input: ClaimInput): Promise<string> {
    const { url, apiKey, model, timeoutMs, retries, backoffMs = 200 } = this.#o;
    const said = input.speaker ? `${input.speaker} says: ${input.userMessage}` : input.userMessage;
    const body = JSON.stringify({
      model,
      temperature: 0,
      response_format: { type: "json_object" },
      messages: [
        { role: "system", content: instructions },
        { role: "user", content: said },
      ],
    });
    for (let attempt = 0; ; attempt++) {
      const again = attempt < retries;
      let response: Response;
      try {
        response = await fetch(`${url.replace(/\/$/, "")}/chat/completions`, {
          method: "POST",
          headers: {
            "content-type": "application/json",
            ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
          },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        if ((error as Error).name === "TimeoutError")
          throw new TimeoutError(`fact extractor: no answer within ${timeoutMs} ms`, { cause: error });
        if (!again) throw error;
        await sleep(backoffMs * 2 ** attempt);
        continue;
      }
      if ((response.status >= 500 || response.status === 429) && again) {
        await response.body?.cancel();
        await sleep(backoffMs * 2 ** attempt);
        continue;
      }
      if (!response.ok) throw new MalformedAnswerError(`status ${response.status}`);
      const answer = (await response.json().catch(() => undefined)) as
        | { choices?: { message?: { content?: unknown } }[] }
        | undefined;
      const content = answer?.choices?.[0]?.message?.content;
      if (typeof content !== "string") throw new MalformedAnswerError("no message content");
      return content;
    }
  }
}

/** The claims in a model's message (JSON, perhaps in a code fence); throws when it is not that. */
export function parseClaims(content: string): FoundClaim[] {
  const json = content
    .trim()
    .replace(/^```(?:json)?\s*/i, "")
    .replace(/```$/, "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new MalformedAnswerError("not JSON");
  }
  const answer = Answer.safeParse(parsed);
  if (!answer.success) throw new MalformedAnswerError(answer.error.issues[0]?.message ?? "not claims");
  return answer.data.claims.map((c) => ({
    relation: c.relation,
    value: c.value,
    negated: c.negated ?? false,
    ...(c.subject ? { subject: c.subject } : {}),
  }));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
