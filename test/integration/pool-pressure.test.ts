/** Many concurrent stores on a small Postgres pool: nothing waits on a connection held by a waiter. */
import { describe, expect, it } from "vitest";
import { createTestManager, expectProjectionMatchesArchive, uniqueId } from "../helpers/memory.js";

// Three connections, and projections applied inline: each summary projection holds a window lock.
const memory = await createTestManager({ HIERARCHICAL_MEMORY_POSTGRESQL_MAX_CONNECTIONS: "3" });

describe("a small connection pool under concurrent stores", () => {
  it("acknowledges every store and projects every one of them", async () => {
    const users = Array.from({ length: 24 }, () => uniqueId("pool"));
    const results = await Promise.allSettled(
      users.map((userId, i) =>
        memory.storeConversation({
          userId,
          userMessage: `I planted tomatoes in plot ${i}`,
          botResponse: "Lovely!",
        }),
      ),
    );
    expect(results.filter((r) => r.status === "rejected")).toEqual([]);
    await memory.reconcile();
    for (const userId of users.slice(0, 6))
      for (const tier of memory.projections) await expectProjectionMatchesArchive(memory, tier, userId);
  });
});
