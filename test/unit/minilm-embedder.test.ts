/**
 * The local-minilm provider runs the real model (the unit setup fetches it): a paraphrase that shares
 * no content word lands nearer than an unrelated sentence, vectors are 384-d and unit length, and a
 * batch gives what single calls give. A missing model is one ConfigError naming the fetch command.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../shared/errors/memory-error.js";
import { createEmbedder } from "../../shared/processing/index.js";
import { localMiniLm, modelFetchCommand } from "../../shared/processing/local-model.js";
import { MiniLmEmbedder } from "../../shared/processing/minilm-embedder.js";

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

const statement = "I adopted a cat named Bailey";
const question = "What pets does she have?";
const unrelated = "The quarterly tax report is due at the end of March.";

describe("MiniLmEmbedder", () => {
  const embedder = new MiniLmEmbedder(localMiniLm.dir);
  let vectors: number[][] = [];

  beforeAll(async () => {
    vectors = await embedder.embed([statement, question, unrelated]);
  }, 30_000);

  it("names itself local-minilm and gives 384 dimensions", () => {
    expect(embedder.name).toBe("local-minilm");
    expect(embedder.dimensions).toBe(384);
    expect(vectors).toHaveLength(3);
    for (const v of vectors) expect(v).toHaveLength(384);
  });

  it("gives unit-length vectors", () => {
    for (const v of vectors) expect(Math.hypot(...v)).toBeCloseTo(1, 5);
  });

  it("puts a paraphrase with no shared content word clearly nearer than an unrelated sentence", () => {
    const [s = [], q = [], u = []] = vectors;
    const paraphrase = dot(s, q);
    expect(paraphrase).toBeGreaterThan(0.25);
    expect(paraphrase - dot(s, u)).toBeGreaterThan(0.2);
    expect(paraphrase - dot(q, u)).toBeGreaterThan(0.2);
  });

  it("gives in a batch what it gives one text at a time", async () => {
    const single = await Promise.all([statement, question, unrelated].map((t) => embedder.embed([t])));
    expect(single.map(([one]) => one)).toEqual(vectors);
  });

  it("embeds more texts than one model run takes, in order, and none for none", async () => {
    const texts = Array.from({ length: 70 }, (_, i) => (i % 2 === 0 ? statement : `note number ${i}`));
    const many = await embedder.embed(texts);
    expect(many).toHaveLength(70);
    expect(many[68]).toEqual(vectors[0]);
    expect(dot(many[69] ?? [], vectors[0] ?? [])).toBeLessThan(0.9);
    expect(await embedder.embed([])).toEqual([]);
  });

  it("cuts a text longer than the model takes instead of failing", async () => {
    const [long = []] = await embedder.embed([`${statement}. `.repeat(200)]);
    expect(long).toHaveLength(384);
    expect(Math.hypot(...long)).toBeCloseTo(1, 5);
  });
});

describe("MiniLmEmbedder without its files", () => {
  it("throws one ConfigError naming the command that fetches the model", () => {
    const empty = mkdtempSync(join(tmpdir(), "hm-no-model-"));
    let thrown: unknown;
    try {
      new MiniLmEmbedder(empty);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const message = (thrown as ConfigError).message;
    expect(message).toContain(`${modelFetchCommand} -- --dir ${empty}`);
    expect(message).toContain(join(empty, "model.onnx"));
    expect(message.split("\n")).toHaveLength(2);
  });
});

describe("createEmbedder", () => {
  const base = { model: "unused", dimensions: 512, modelDir: localMiniLm.dir };
  it("gives the local-minilm provider when the config names it, and hashing by default", () => {
    expect(createEmbedder({ ...base, provider: "local-minilm" })).toBeInstanceOf(MiniLmEmbedder);
    expect(createEmbedder({ ...base, provider: "hashing" }).name).toBe("hashing");
  });
});
