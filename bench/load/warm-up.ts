/**
 * One context request for a user of each Chroma shard, one at a time, before a size is measured:
 * Chroma loads a collection's index on its first query, and 16 first queries at once to the same
 * collections each loaded it (Chroma grew to 2.3 GB and every answer of the step met the deadline).
 * The cold start of a process is measured on its own (smoke:bundle); the sweep measures a warm one.
 */
import { shardsOfUsers } from "./dataset.js";

export async function warmUp(options: {
  url: string;
  apiKey: string;
  tenant: string;
  users: number;
  shards: number;
}): Promise<{ requests: number; seconds: number }> {
  const started = performance.now();
  const firstOfShard = new Map<number, number>();
  shardsOfUsers(options.tenant, options.users, options.shards).forEach((shard, u) => {
    if (!firstOfShard.has(shard)) firstOfShard.set(shard, u);
  });
  for (const user of firstOfShard.values()) {
    const response = await fetch(`${options.url}/v1/users/u${user}/context`, {
      method: "POST",
      headers: { authorization: `Bearer ${options.apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ query: "what did I do last week?" }),
    });
    if (!response.ok) throw new Error(`warm-up context for u${user}: HTTP ${response.status}`);
    await response.arrayBuffer();
  }
  return { requests: firstOfShard.size, seconds: Math.round((performance.now() - started) / 100) / 10 };
}
