/**
 * Builds a legacy WhisperEngine-style ChromaDB (user_memories + global_facts) of any size, with every
 * record shape the migration must handle: typed and untyped conversations, "Bot:" documents, user,
 * personality, versioned and global facts, missing and odd fields, duplicate texts, non-ASCII text,
 * and a few records that cannot be migrated (unknown type, no user, empty text).
 * Deterministic for a seed, so tests and benchmarks can predict what a migration must produce.
 */
import type { ChromaClient } from "chromadb";
import type { LegacyRecord } from "../../shared/migration/legacy.js";
import { seededRandom } from "../../shared/util/random.js";

const messages = [
  ["I went hiking in the Alps last weekend.", "That sounds amazing! Which trail did you take?"],
  ["My cat Miso knocked over my coffee again.", "Cats have a talent for that."],
  ["Ich lerne gerade Deutsch, es ist schwer!", "Du machst das großartig!"],
  ["今日はとても疲れました。", "ゆっくり休んでくださいね。"],
  [
    "Can you remind me about the dentist on Friday?",
    "Sure, I'll remember the dentist appointment on Friday.",
  ],
  ["I'm feeling a bit down today 😔", "I'm sorry to hear that. Want to talk about it?"],
  ["hello", "Hi there!"],
] as const;
const facts = [
  "likes green tea",
  "has a sister named Ana",
  "works as a nurse",
  "is allergic to peanuts",
  "plays the cello",
];

/** `count` legacy records for about count/20 users; about 5% land in global_facts. */
export function* legacyRecords(count: number, seed = 1): Generator<LegacyRecord> {
  const next = seededRandom(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T;
  const users = Math.max(1, Math.ceil(count / 20));
  for (let i = 0; i < count; i++) {
    const userId =
      next() < 0.1
        ? `${100000000000000000 + Math.floor(next() * users)}`
        : `user_${Math.floor(next() * users)}`;
    const at = new Date(Date.UTC(2025, 0, 1) + i * 61_000 + Math.floor(next() * 1000));
    const iso = at
      .toISOString()
      .replace("Z", "")
      .replace(/\.(\d{3})$/, (_, ms: string) => `.${ms}${String(i % 1000).padStart(3, "0")}`);
    const roll = next();
    const suffix = `${i.toString(36)}`;
    if (roll < 0.05) {
      yield {
        collection: "global_facts",
        id: `global_fact_${suffix}`,
        document: `The bot's name is Elena (${i % 7}).`,
        metadata: { type: "global_fact", category: "bot", confidence: 1 },
      };
    } else if (roll < 0.15) {
      yield {
        collection: "user_memories",
        id: `${userId}_fact_${suffix}`,
        document: `User ${pick(facts)}`,
        metadata: {
          user_id: userId,
          type: "user_fact",
          category: "preference",
          confidence: Math.round(next() * 100) / 100,
        },
      };
    } else if (roll < 0.2) {
      yield {
        collection: "user_memories",
        id: `${userId}_personality_${suffix}`,
        document: `Personality: ${pick(["curious", "calm", "playful"])}`,
        metadata: {
          user_id: userId,
          type: "personality_fact",
          personality_openness: Math.round(next() * 10) / 10,
        },
      };
    } else if (roll < 0.25) {
      yield {
        collection: "user_memories",
        id: `${userId}_${iso}_v${suffix}`,
        document: `Fact: ${pick(facts)}`,
        metadata: { user_id: userId, fact_type: "biographical", version: 1 + Math.floor(next() * 3) },
      };
    } else if (roll < 0.255) {
      // About 0.5% the migration cannot take, each for a reason it must report.
      yield pick<LegacyRecord>([
        {
          collection: "user_memories",
          id: `note_${suffix}`,
          document: "remember this",
          metadata: { type: "reminder" },
        },
        {
          collection: "user_memories",
          id: `orphan_${suffix}`,
          document: "User: hi\nAssistant: hello",
          metadata: { channel_id: "dm" },
        },
        {
          collection: "user_memories",
          id: `${userId}_${iso}_e${suffix}`,
          document: "User: \nAssistant: ",
          metadata: { user_id: userId, user_message: "", bot_response: "" },
        },
      ]);
    } else {
      const [userMessage, botResponse] = pick(messages);
      const botWord = next() < 0.2 ? "Bot" : "Assistant";
      const metadata: Record<string, string | number | boolean | null> = {
        user_id: userId,
        timestamp: iso,
        channel_id: next() < 0.5 ? "dm" : `${Math.floor(next() * 1e6)}`,
        user_message: userMessage,
        bot_response: botResponse,
      };
      if (next() < 0.5) metadata.type = "conversation";
      if (next() < 0.5)
        Object.assign(metadata, {
          detected_emotion: pick(["joy", "sadness", "neutral"]),
          confidence: Math.round(next() * 100) / 100,
          intensity: next(),
        });
      if (next() < 0.3)
        Object.assign(metadata, {
          relationship_level: "friend",
          interaction_count: Math.floor(next() * 500),
          server_id: "guild-1",
          is_private: next() < 0.5,
        });
      if (next() < 0.1) delete metadata.user_message; // the document still holds it
      if (next() < 0.05) delete metadata.timestamp; // the id still holds it
      yield {
        collection: "user_memories",
        id: `${userId}_${iso}_${suffix}`,
        document: `User: ${userMessage}\n${botWord}: ${botResponse}`,
        metadata,
      };
    }
  }
}

/** Writes records into the two legacy collections, `batchSize` at a time, with random stored vectors. */
export async function writeLegacyStore(
  chroma: ChromaClient,
  records: Iterable<LegacyRecord>,
  options: { dimensions?: number; batchSize?: number; seed?: number } = {},
): Promise<Record<LegacyRecord["collection"], number>> {
  const dims = options.dimensions ?? 384;
  const next = seededRandom(options.seed ?? 7);
  const collections = {
    user_memories: await chroma.getOrCreateCollection({ name: "user_memories", embeddingFunction: null }),
    global_facts: await chroma.getOrCreateCollection({ name: "global_facts", embeddingFunction: null }),
  };
  const counts = { user_memories: 0, global_facts: 0 };
  const pending: Record<LegacyRecord["collection"], LegacyRecord[]> = { user_memories: [], global_facts: [] };
  const flush = async (name: LegacyRecord["collection"]) => {
    const batch = pending[name];
    if (batch.length === 0) return;
    await collections[name].upsert({
      ids: batch.map((r) => r.id),
      documents: batch.map((r) => r.document ?? ""),
      metadatas: batch.map((r) => r.metadata ?? {}),
      embeddings: batch.map(() => Array.from({ length: dims }, () => next() - 0.5)),
    });
    counts[name] += batch.length;
    pending[name] = [];
  };
  for (const record of records) {
    pending[record.collection].push(record);
    if (pending[record.collection].length >= (options.batchSize ?? 500)) await flush(record.collection);
  }
  await flush("user_memories");
  await flush("global_facts");
  return counts;
}
