/**
 * Facts that change (issue 18) on the real stores: a scripted conversation through the memory into
 * Neo4j; context gives what holds now, asOf what held then; removing the exchange that moved the
 * user revives the fact it had ended; erasing the user leaves nothing in the graph. The same
 * through REST on in-memory stores: test/unit/http/facts.test.ts.
 */
import { describe, expect, it } from "vitest";
import { createTestMemory, uniqueId } from "../helpers/memory.js";

const t = await createTestMemory();

const graphItems = async (userId: string, asOf?: Date) =>
  (
    await t.manager.getConversationContext({
      userId,
      currentQuery: "Where do I live?",
      ...(asOf ? { asOf } : {}),
    })
  ).items.filter((i) => i.source === "graph");

describe("facts that change, on the real stores", () => {
  it("a move supersedes, asOf sees the past, a removal revives, an erase leaves nothing", async () => {
    const userId = uniqueId("facts");
    const turns = [
      ["2025-01-10T12:00:00Z", "I live in Lisbon."],
      ["2025-02-01T12:00:00Z", "Have you been to Madrid? I'd love to live in Madrid someday."],
      ["2025-03-01T12:00:00Z", "I moved to Porto last week."],
    ] as const;
    const ids: string[] = [];
    for (const [at, userMessage] of turns)
      ids.push(
        (
          await t.manager.storeConversation({
            userId,
            userMessage,
            botResponse: "Ok.",
            timestamp: new Date(at),
          })
        ).exchangeId,
      );
    await t.manager.reconcile();

    expect((await graphItems(userId)).map((i) => [i.text, i.validFrom, i.invalidAt])).toEqual([
      ["User lives in Porto.", "2025-03-01T12:00:00.000Z", undefined],
    ]);
    expect(
      (await graphItems(userId, new Date("2025-02-15T00:00:00Z"))).map((i) => [i.text, i.invalidAt]),
    ).toEqual([["User lives in Lisbon.", "2025-03-01T12:00:00.000Z"]]);

    const said = (await t.manager.getConversationContext({ userId, currentQuery: "Where do I live?" })).items;
    expect(said.find((i) => i.source !== "graph" && i.exchangeIds[0] === ids[0])?.superseded).toBe(true);
    expect(said.find((i) => i.source !== "graph" && i.exchangeIds[0] === ids[2])?.superseded).toBeUndefined();

    // What a delete or correction of the move does to the graph: Lisbon holds again.
    await t.stores.graph?.removeExchanges(userId, [ids[2] as string]);
    expect((await graphItems(userId)).map((i) => [i.text, i.invalidAt])).toEqual([
      ["User lives in Lisbon.", undefined],
    ]);

    await t.manager.deleteUser(userId);
    await t.manager.reconcile();
    expect(await t.stores.graph?.counts(userId)).toEqual({ entities: 0, facts: 0 });
  });
});
