/**
 * A tiny bot that remembers: stores a few exchanges for one user, then asks what to remember.
 *   npm run example -- --url http://localhost:8787 --key hm_...
 */
import { parseArgs } from "node:util";
import { MemoryClient } from "../../shared/client/index.js";

const { values } = parseArgs({
  options: { url: { type: "string", default: "http://localhost:8787" }, key: { type: "string" } },
});
if (!values.key) {
  console.error(
    "usage: npm run example -- --url http://localhost:8787 --key hm_...   (create one: npm run keys -- create demo bot)",
  );
  process.exit(2);
}
const memory = new MemoryClient({ baseUrl: values.url ?? "", apiKey: values.key });
const userId = "example-user";

const chat: [string, string][] = [
  ["Hi! I'm Sam. My sister Ana lives in Lisbon.", "Nice to meet you, Sam! Lisbon is beautiful."],
  ["I adopted a dog named Pixel last week.", "Congratulations! How is Pixel settling in?"],
  ["I'm learning to play the cello.", "The cello is a wonderful instrument."],
];
for (const [i, [userMessage, botResponse]] of chat.entries()) {
  const stored = await memory.store(userId, { userMessage, botResponse }, `example-${i}`);
  console.log(`stored ${stored.exchangeId}${stored.duplicate ? " (already stored)" : ""}`);
}
const context = await memory.context(userId, { query: "What is my dog called?", maxItems: 3 });
console.log(
  `\ncontext in ${context.totalMs} ms${context.degraded.length ? `, degraded: ${context.degraded.join(", ")}` : ""}:`,
);
for (const item of context.items)
  console.log(`- [${item.source} ${item.score}] ${item.text.replaceAll("\n", " / ")}`);
