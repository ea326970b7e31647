/**
 * Synthetic conversations for load benchmarks: deterministic for a seed, varied enough that full-text
 * and summary search have real work (a few thousand distinct words), and questions that hit them.
 */

import { exchangeIdFor } from "../../shared/migration/plan.js";
import type { NewExchange } from "../../shared/tiers/archive.js";
import { shardOfUser } from "../../shared/tiers/chroma/summary-index.js";
import { seededRandom } from "../../shared/util/random.js";

const people = ["Ana", "Marco", "Priya", "Kenji", "Lena", "Omar", "Sofia", "Tom", "Yara", "Chen"];
const places = [
  "Lisbon",
  "Kyoto",
  "the lake",
  "Berlin",
  "the office",
  "the gym",
  "Oaxaca",
  "the library",
  "Nairobi",
  "the beach",
];
const verbs = [
  "visited",
  "cooked",
  "painted",
  "ran",
  "studied",
  "played",
  "built",
  "read",
  "photographed",
  "planted",
];
const things = [
  "a sourdough loaf",
  "the cello",
  "a marathon",
  "an old bike",
  "Spanish verbs",
  "tomatoes",
  "a chess opening",
  "a mural",
  "a birdhouse",
  "a jazz album",
];
const feelings = ["happy", "tired", "proud", "nervous", "calm", "excited"];

export const userIdOf = (tenant: string, i: number) => `${tenant}/u${i}`;

/** The Chroma shard of each of the first `users` users, by user number. */
export const shardsOfUsers = (tenant: string, users: number, shards: number): number[] =>
  Array.from({ length: users }, (_, u) => shardOfUser(userIdOf(tenant, u), shards));

/**
 * Exchanges of one user, oldest first, an hour apart. With `sessionLength`, every run of that many
 * turns is a session (`s0`, `s1`, ...), its agent alternating between `buddy` and `coach`.
 */
/** The topics sessions are about, in turn. */
export const topics = ["billing", "travel", "health", "work"] as const;

export function conversation(
  tenant: string,
  user: number,
  count: number,
  seed = 1,
  sessionLength?: number,
): NewExchange[] {
  const next = seededRandom(seed * 1_000_003 + user);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T;
  const userId = userIdOf(tenant, user);
  const start = Date.UTC(2025, 0, 1) + user * 1000;
  return Array.from({ length: count }, (_, i) => {
    const [who, where, did, what] = [pick(people), pick(places), pick(verbs), pick(things)];
    const key = `load:${i}`;
    const session = sessionLength ? Math.floor(i / sessionLength) : undefined;
    return {
      id: exchangeIdFor(userId, key),
      userId,
      userMessage: `Yesterday I ${did} ${what} in ${where} with ${who}, and I felt ${pick(feelings)}. Item ${user}-${i}.`,
      botResponse: `That sounds great! How did ${who} like ${where}?`,
      ...(session === undefined
        ? {}
        : { sessionId: `s${session}`, agentId: session % 2 ? "coach" : "buddy" }),
      // A session has one topic and priority, so its summary windows share them (filtered reads).
      metadata:
        session === undefined
          ? { bench: true }
          : { bench: true, topic: topics[session % topics.length], priority: session % 5 },
      timestamp: new Date(start + i * 3_600_000),
      idempotencyKey: key,
    };
  });
}

/** A question a user could ask of their own memory. */
export function question(next: () => number): string {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] as T;
  return `When did I ${pick(verbs).replace(/ed$/, "")} ${pick(things)} with ${pick(people)}?`;
}
