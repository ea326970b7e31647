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
  // About 4,000 new exchanges a chunk, at least 200 users: each chunk writes to every Chroma shard its
  // users fall in, and a write call's fixed cost (tens of ms with 64 collections) dwarfs a record's
  // (~1-3 ms), so a first size of one exchange a user ran at ~34/s in chunks of 200 users.
  const newPerUser = Math.max(1, Math.ceil((options.to - options.from) / options.users));
  const chunk = Math.max(200, Math.ceil(4_000 / newPerUser));
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
