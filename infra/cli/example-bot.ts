/**
 * A tiny bot that remembers: stores a few exchanges for one user, then asks what to remember.
 *   npm run example -- --url http://localhost:8787 --key hm_...
 */
import { CliError, type Command, parseCommandLine, runMain, UsageError } from "./run-cli.js";

const command = {
  name: "example",
  usage: ["npm run example -- --key hm_... [--url URL]"],
  about: `
A tiny bot that remembers, through the typed client (shared/client): stores three exchanges for the user
"example-user" (idempotently: a re-run stores nothing twice), then asks the memory "What is my dog
called?" and prints the context it answers. Run it against npm start.`,
  options: {
    url: { type: "string", value: "URL", default: "http://localhost:8787", description: "the memory API" },
    key: {
      type: "string",
      value: "KEY",
      description: "an API key of the memory, required (create one: npm run keys -- create demo bot)",
    },
  },
  notes: "Exit status: 0 done; 1 the API refused or could not be reached; 2 for a usage error.",
} satisfies Command;

const { values } = parseCommandLine(command);

runMain(command, async () => {
  if (!values.key)
    throw new UsageError("--key hm_... is required (create one: npm run keys -- create demo bot)");
  const { MemoryApiError, MemoryClient } = await import("../../shared/client/index.js");
  const memory = new MemoryClient({ baseUrl: values.url ?? "", apiKey: values.key });
  const userId = "example-user";

  const chat: [string, string][] = [
    ["Hi! I'm Sam. My sister Ana lives in Lisbon.", "Nice to meet you, Sam! Lisbon is beautiful."],
    ["I adopted a dog named Pixel last week.", "Congratulations! How is Pixel settling in?"],
    ["I'm learning to play the cello.", "The cello is a wonderful instrument."],
  ];
  try {
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
  } catch (error) {
    // The API's problem, or no API at all, is one line; anything else is a bug, printed whole.
    if (error instanceof MemoryApiError) throw new CliError(`the API answered ${error.message}`);
    if (error instanceof TypeError && error.message === "fetch failed")
      throw new CliError(`cannot reach ${values.url} (is npm start running?)`, { cause: error });
    throw error;
  }
});
