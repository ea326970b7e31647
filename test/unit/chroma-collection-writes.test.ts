/** A Chroma collection's writes: waiting upserts grouped into one call, deletes as barriers, in order. */
import { describe, expect, it } from "vitest";
import {
  CollectionWrites,
  inCallsOf,
  type UpsertRecords,
} from "../../shared/tiers/chroma/collection-writes.js";

const records = (...ids: string[]): UpsertRecords => ({
  ids,
  embeddings: ids.map((_, i) => [i]),
  documents: ids.map((id) => `text of ${id}`),
  metadatas: ids.map((id) => ({ id })),
});

/** A log of the calls made, each finishing when the test says so. */
function heldCollection() {
  const calls: { what: string; finish: (error?: Error) => void }[] = [];
  const held = (what: string) =>
    new Promise<void>((resolve, reject) =>
      calls.push({ what, finish: (error) => (error ? reject(error) : resolve()) }),
    );
  const write = (r: UpsertRecords) => held(`upsert ${r.ids.join(",")} ${r.documents.join("|")}`);
  return { calls, write, held };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("CollectionWrites", () => {
  it("groups the upserts that wait behind a write into one call, the later record of an id standing", async () => {
    const writes = new CollectionWrites();
    const { calls, write } = heldCollection();
    const first = writes.upsert(records("a"), write);
    await tick();
    const second = writes.upsert(records("b", "c"), write);
    const third = writes.upsert({ ...records("c"), documents: ["newer c"] }, write);
    expect(calls.map((c) => c.what)).toEqual(["upsert a text of a"]);
    calls[0]?.finish();
    await first;
    await tick();
    expect(calls.map((c) => c.what)).toEqual(["upsert a text of a", "upsert b,c text of b|newer c"]);
    calls[1]?.finish();
    await Promise.all([second, third]);
  });

  it("runs a delete after the writes asked before it, and an upsert asked after it after the delete", async () => {
    const writes = new CollectionWrites();
    const { calls, write, held } = heldCollection();
    void writes.upsert(records("a"), write);
    await tick();
    const waiting = writes.upsert(records("b"), write);
    const erased = writes.barrier(() => held("delete user"));
    const after = writes.upsert(records("c"), write);
    for (let i = 0; i < 4; i++) {
      while (!calls[i]) await tick();
      calls[i]?.finish();
    }
    await Promise.all([waiting, erased, after]);
    expect(calls.map((c) => c.what)).toEqual([
      "upsert a text of a",
      "upsert b text of b",
      "delete user",
      "upsert c text of c",
    ]);
  });

  it("fails every upsert of a call that failed, and goes on with the next", async () => {
    const writes = new CollectionWrites();
    const { calls, write } = heldCollection();
    void writes.upsert(records("a"), write);
    await tick();
    const b = writes.upsert(records("b"), write);
    const c = writes.upsert(records("c"), write);
    calls[0]?.finish();
    await tick();
    calls[1]?.finish(new Error("chroma refused"));
    await expect(b).rejects.toThrow("chroma refused");
    await expect(c).rejects.toThrow("chroma refused");
    const d = writes.upsert(records("d"), write);
    await tick();
    calls[2]?.finish();
    await d;
    expect(calls.map((x) => x.what)).toEqual([
      "upsert a text of a",
      "upsert b,c text of b|text of c",
      "upsert d text of d",
    ]);
  });

  it("sends a large upsert alone rather than growing a waiting call past 1000 records", async () => {
    const writes = new CollectionWrites();
    const sizes: number[] = [];
    const write = async (r: UpsertRecords) => void sizes.push(r.ids.length);
    const big = Array.from({ length: 990 }, (_, i) => `r${i}`);
    await Promise.all([
      writes.upsert(records("first"), write),
      writes.upsert(records(...big), write),
      writes.upsert(records(...big.map((id) => `${id}x`)), write),
    ]);
    expect(sizes).toEqual([991, 990]);
  });
});

describe("inCallsOf", () => {
  it("splits records past the server's limit into calls it takes, in order, none lost", () => {
    const calls = inCallsOf(records("a", "b", "c", "d", "e", "f", "g"), 3);
    expect(calls.map((c) => c.ids)).toEqual([["a", "b", "c"], ["d", "e", "f"], ["g"]]);
    expect(calls.map((c) => c.documents.length)).toEqual([3, 3, 1]);
    // The last call's record keeps its own embedding and metadata.
    expect(calls[2]).toEqual({ ...records("g"), embeddings: [[6]] });
  });

  it("keeps records within the limit, or under a server that names none, as one call", () => {
    const all = records("a", "b");
    expect(inCallsOf(all, 2)).toEqual([all]);
    expect(inCallsOf(all, -1)).toEqual([all]);
  });
});
