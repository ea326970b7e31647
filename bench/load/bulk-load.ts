/**
 * The benchmark's fast bulk path: each chunk of users' new exchanges goes in with one multi-row
 * insert (the migration's write path) and is projected in bulk, so each user's recent list and
 * summary windows are built once per chunk. Loads grow: a later, larger size appends to each user.
 */
import pLimit from "p-limit";
import type { HierarchicalMemoryManager } from "../../shared/memory/manager.js";
import type { NewExchange } from "../../shared/tiers/archive.js";
import { conversation } from "./dataset.js";

export async function growTo(
  memory: HierarchicalMemoryManager,
  options: { tenant: string; users: number; from: number; to: number },
): Promise<{ seconds: number; inserted: number }> {
  const started = performance.now();
  const per = (total: number, user: number) =>
    Math.floor(total / options.users) + (user < total % options.users ? 1 : 0);
  const limit = pLimit(2);
  // About 600 new exchanges a chunk: few users a chunk and every Chroma write call carries a few
  // records at a fixed cost (chunks of 200 one-exchange users ran at ~34 exchanges/s); many and a chunk's
  // Chroma writes (~4 ms of its CPU a record with 64 shards) outlast the projection timeout (15 s).
  const newPerUser = Math.max(1, Math.ceil((options.to - options.from) / options.users));
  const chunk = Math.max(50, Math.ceil(600 / newPerUser));
  let inserted = 0;
  await Promise.all(
    Array.from({ length: Math.ceil(options.users / chunk) }, (_, c) =>
      limit(async () => {
        const batch: NewExchange[] = [];
        for (let u = c * chunk; u < Math.min(options.users, (c + 1) * chunk); u++)
          batch.push(...conversation(options.tenant, u, per(options.to, u)).slice(per(options.from, u)));
        const { stored } = await memory.storeConversations(batch);
        inserted += stored.length;
      }),
    ),
  );
  return { seconds: Math.round((performance.now() - started) / 100) / 10, inserted };
}
