/**
 * An OpenAI-style chat transcript per line: `{ userId, messages: [{ role, content, name? }], ... }`.
 * Each user message and the assistant replies after it become one exchange; system, developer and
 * tool messages are instructions or plumbing, not what was said, so they are left out. The line's own
 * keys are ours and refused when unknown (a typo would drop a field); a message's are OpenAI's, which
 * carry many we have no use for (tool_calls, refusal), so those are ignored.
 */
import { z } from "zod";
import type { ImportRecord, ImportUnit, ParsedUnit } from "../records.js";
import { offsetDateTime, plainObject, withoutUndefined } from "./ndjson.js";
import { parseWith, readObject, unlessMissing } from "./unit.js";

const roles = ["system", "user", "assistant", "tool", "developer"] as const;

/** A content part; only text parts count, an image or audio part is ignored. */
const Part = z.looseObject({ type: z.string() }).superRefine((part, ctx) => {
  if (part.type === "text" && typeof part.text !== "string")
    ctx.addIssue({ code: "custom", path: ["text"], message: "must be a string" });
});

const Message = z.looseObject({
  role: z.enum(roles, { error: unlessMissing(`must be one of ${roles.join(", ")}`) }),
  content: z
    .union([z.string(), z.array(Part)], {
      error: unlessMissing("must be a string, an array of content parts or null"),
    })
    .nullable()
    .optional(),
  name: z.string().optional(),
});

const Transcript = z
  .object({
    userId: z.string(),
    messages: z.array(Message),
    id: z.string().optional(),
    sessionId: z.string().optional(),
    agentId: z.string().optional(),
    timestamp: offsetDateTime.optional(),
    metadata: plainObject.optional(),
  })
  .strict();

type Message = z.infer<typeof Message>;

/** A message's text: the string, or its text parts joined; "" when it has none. */
function textOf(message: Message): string {
  const { content } = message;
  if (typeof content === "string") return content;
  if (!content) return "";
  return content
    .flatMap((part) => (part.type === "text" && typeof part.text === "string" ? [part.text] : []))
    .join("\n");
}

interface Turn {
  userMessage: string;
  speaker?: string;
  replies: string[];
}

/** User messages with the assistant replies that follow each (replies before any user message get a turn of their own). */
export function pairTurns(messages: readonly Message[]): Turn[] {
  const turns: Turn[] = [];
  for (const message of messages) {
    if (message.role === "user")
      turns.push({ userMessage: textOf(message), speaker: message.name, replies: [] });
    else if (message.role === "assistant") {
      if (turns.length === 0) turns.push({ userMessage: "", replies: [] });
      const reply = textOf(message);
      // A reply that only calls a tool has no text; it adds nothing to what was said.
      if (reply.trim() !== "") turns.at(-1)?.replies.push(reply);
    }
  }
  // A turn with no text at all (an image with no caption and no answer) has nothing to remember.
  return turns.filter((t) => t.userMessage.trim() !== "" || t.replies.length > 0);
}

export function parseOpenAi(unit: ImportUnit): ParsedUnit {
  const { line } = unit;
  const read = readObject(unit);
  if ("error" in read) return { line, error: read.error };
  const parsed = parseWith(Transcript, read.value);
  if ("error" in parsed) return { line, error: parsed.error };
  const t = parsed.data;
  const start = t.timestamp === undefined ? undefined : Date.parse(t.timestamp);
  const records = pairTurns(t.messages).map(
    (turn, n): ImportRecord =>
      withoutUndefined({
        userId: t.userId,
        kind: "exchange" as const,
        userMessage: turn.userMessage,
        botResponse: turn.replies.join("\n\n"),
        // One millisecond apart, so the transcript's order survives every sort by time.
        timestamp: start === undefined ? undefined : new Date(start + n),
        speaker: turn.speaker,
        sessionId: t.sessionId,
        agentId: t.agentId,
        metadata: t.metadata === undefined ? undefined : { ...t.metadata },
        externalId: t.id === undefined ? undefined : `${t.id}#${n}`,
      }),
  );
  return { line, records };
}
