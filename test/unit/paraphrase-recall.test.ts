/**
 * Semantic recall where words cannot help: twelve questions that share no content word (after
 * stemming) with the one exchange that answers them, among distractors. The local model must find
 * the answer among the first three items for nearly all of them; the hashing embedder (words only)
 * cannot, which is the gain the model brings. Runs the real assembler on in-memory stores.
 */
import { describe, expect, it } from "vitest";
import { terms } from "../../shared/util/text.js";
import { inMemoryMemory } from "../helpers/in-memory-memory.js";

const pairs = [
  ["I adopted a cat named Bailey last spring.", "What animals live with me?"],
  ["My daughter starts kindergarten in September.", "When does my child begin school?"],
  ["I work as a nurse at the county hospital.", "What do I do for a living?"],
  ["I'm allergic to peanuts, so I never eat satay.", "Which foods make me sick?"],
  ["We drove to the coast and surfed all weekend.", "What did I do by the sea recently?"],
  ["My husband plays the cello in an orchestra.", "Does my spouse make music?"],
  ["I'm training for a marathon in April.", "Which race am I preparing for?"],
  ["I broke my wrist skiing in January.", "Have I had any injuries?"],
  ["My grandmother taught me to bake sourdough bread.", "Who showed me how to make loaves?"],
  ["I'm saving up to buy a house next year.", "What big purchase am I planning?"],
  ["I switched to a vegetarian diet in March.", "Do I still eat meat?"],
  ["My brother lives in Tokyo and teaches English.", "Where is my sibling based?"],
] as const;

const distractors = [
  "The weather was lovely this afternoon.",
  "I watched a documentary about black holes.",
  "Can you recommend a good podcast?",
  "I need to renew my passport soon.",
  "My phone battery drains quickly these days.",
  "I like listening to jazz on Sunday mornings.",
  "The traffic on the bridge was terrible.",
  "I repainted the kitchen cabinets green.",
  "Our neighbours threw a loud party.",
  "I finally finished that long novel.",
  "The printer at the office jammed again.",
  "I tried a new coffee shop downtown.",
];

/** In how many of the questions the answer is among the first `k` items. */
async function answered(provider: "local" | "hashing", k: number): Promise<number> {
  // Each store waits for its projections, and no tier is dropped as late: this measures recall, not speed.
  const { manager } = inMemoryMemory({
    HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER: provider,
    HIERARCHICAL_MEMORY_STORE_PROCESSING_BUDGET: "60000",
    HIERARCHICAL_MEMORY_CONTEXT_ASSEMBLY_TIMEOUT: "30000",
  });
  const userId = `paraphrase-${provider}`;
  const start = Date.UTC(2026, 0, 1);
  const turns = [...pairs.map(([said]) => said), ...distractors];
  // Interleaved, an hour apart, so that recency favours no group.
  const order = turns.map((_, i) => (i % 2 === 0 ? i / 2 : pairs.length + (i - 1) / 2));
  const ids = new Map<string, string>();
  for (const [n, i] of order.entries()) {
    const said = turns[i] ?? "";
    const { exchangeId } = await manager.storeConversation({
      userId,
      userMessage: said,
      botResponse: "Okay.",
      timestamp: new Date(start + n * 3_600_000),
    });
    ids.set(said, exchangeId);
  }
  await manager.reconcile();
  let hits = 0;
  for (const [said, question] of pairs) {
    const context = await manager.getConversationContext({
      userId,
      currentQuery: question,
      now: new Date(start + 86_400_000 * 2),
    });
    expect(context.degraded).toEqual([]);
    const top = context.items.slice(0, k).flatMap((i) => i.exchangeIds);
    if (top.includes(ids.get(said) ?? "")) hits++;
  }
  return hits;
}

describe("recall of a paraphrase that shares no word with its answer", () => {
  it("is a set of questions with no content word in common with their answers", () => {
    for (const [said, question] of pairs) {
      const shared = terms(question).filter((t) => terms(`${said} Okay.`).includes(t));
      expect(shared, `${question} / ${said}`).toEqual([]);
    }
  });

  it("finds nearly every answer among the first three items with the local model, far more than hashing", async () => {
    const [local, hashing] = [await answered("local", 3), await answered("hashing", 3)];
    console.log(`paraphrase set: answer in the top 3 for ${local}/12 (local model), ${hashing}/12 (hashing)`);
    expect(local).toBeGreaterThanOrEqual(10);
    expect(local - hashing).toBeGreaterThanOrEqual(5);
  }, 60_000);
});
