/**
 * The benchmark's fast bulk path: each chunk of users' new exchanges goes in with one multi-row
 * insert (the migration's write path) and is projected in bulk, so each user's recent list and
 * summary windows are built once per chunk. Loads grow: a later, larger size appends to each user.
 */
import pLimit from "p-limit";
import type { HierarchicalMemoryManager } from "../../shared/memory/manager.js";
import type { NewExchange } from "../../shared/tiers/archive.js";
import { conversation, shardsOfUsers } from "./dataset.js";

export async function growTo(
  memory: HierarchicalMemoryManager,
  options: { tenant: string; users: number; from: number; to: number; shards: number },
): Promise<{ seconds: number; inserted: number; pending: Record<string, number> }> {
  const started = performance.now();
  const per = (total: number, user: number) =>
    Math.floor(total / options.users) + (user < total % options.users ? 1 : 0);
  const limit = pLimit(2);
  // Users in the order of their Chroma shard, about 600 new exchanges a chunk: a chunk then writes to
  // one or two collections, many records a call. In chunks of 200 users in id order every chunk wrote
  // to all 64 collections a few records a call (each call has a fixed cost), at ~34 exchanges/s.
  const newPerUser = Math.max(1, Math.ceil((options.to - options.from) / options.users));
  const chunk = Math.max(50, Math.ceil(600 / newPerUser));
  const shardOf = shardsOfUsers(options.tenant, options.users, options.shards);
  const order = shardOf.map((_, u) => u).sort((a, b) => (shardOf[a] ?? 0) - (shardOf[b] ?? 0) || a - b);
  let inserted = 0;
  // Exchanges whose projection to a tier failed in bulk: their outbox rows wait for the worker.
  const pending: Record<string, number> = {};
  await Promise.all(
    Array.from({ length: Math.ceil(options.users / chunk) }, (_, c) =>
      limit(async () => {
        const batch: NewExchange[] = [];
        for (const u of order.slice(c * chunk, (c + 1) * chunk))
          batch.push(...conversation(options.tenant, u, per(options.to, u)).slice(per(options.from, u)));
        const { stored, pending: tiers } = await memory.storeConversations(batch);
        inserted += stored.length;
        for (const tier of tiers) pending[tier] = (pending[tier] ?? 0) + stored.length;
      }),
    ),
  );
  return { seconds: Math.round((performance.now() - started) / 100) / 10, inserted, pending };
}
