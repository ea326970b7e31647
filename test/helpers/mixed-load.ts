/**
 * A mixed store/context load on a manager, in the background, recording every call: what was
 * acknowledged (exchange ids), what failed, and each context answer with when it ran.
 */
import type { AssembledContext } from "../../shared/memory/assembler/types.js";
import type { HierarchicalMemoryManager } from "../../shared/memory/manager.js";

export interface ContextCall {
  startedAt: number;
  endedAt: number;
  context: AssembledContext;
}

export function startMixedLoad(
  manager: HierarchicalMemoryManager,
  users: readonly string[],
  options: { workers: number; query: string },
) {
  let running = true;
  const acknowledged = new Map<string, string[]>(users.map((u) => [u, []]));
  const storeFailures: string[] = [];
  const contexts: ContextCall[] = [];
  const contextFailures: string[] = [];
  const worker = async (w: number) => {
    for (let i = 0; running; i++) {
      const userId = users[(w + i) % users.length] ?? "";
      if (i % 2 === 0) {
        try {
          const stored = await manager.storeConversation({
            userId,
            userMessage: `My friend Zoe ${w}-${i} plays chess in Porto.`,
            botResponse: "Fun!",
          });
          acknowledged.get(userId)?.push(stored.exchangeId);
        } catch (error) {
          storeFailures.push(String(error));
        }
      } else {
        const startedAt = performance.now();
        try {
          const context = await manager.getConversationContext({ userId, currentQuery: options.query });
          contexts.push({ startedAt, endedAt: performance.now(), context });
        } catch (error) {
          contextFailures.push(String(error));
        }
      }
    }
  };
  const done = Promise.all(Array.from({ length: options.workers }, (_, w) => worker(w)));
  return {
    async stop() {
      running = false;
      await done;
      return { acknowledged, storeFailures, contexts, contextFailures };
    },
  };
}
