/**
 * The local provider runs the real models (the unit setup fetches them): a paraphrase that shares no
 * content word lands nearer than an unrelated sentence, vectors are 384-d and unit length, and a batch
 * gives what single calls give. A missing model is one ConfigError naming the fetch command.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { loadConfig as load } from "../../shared/config/index.js";
import { localModels, modelFetchCommand } from "../../shared/config/local-models.js";
import { ConfigError } from "../../shared/errors/memory-error.js";
import { createEmbedder } from "../../shared/processing/index.js";
import { LocalEmbedder } from "../../shared/processing/local-embedder.js";

const dot = (a: readonly number[], b: readonly number[]) => a.reduce((s, x, i) => s + x * (b[i] ?? 0), 0);

const statement = "I adopted a cat named Bailey";
const question = "What pets does she have?";
const unrelated = "The quarterly tax report is due at the end of March.";

// e5's cosines crowd near 0.7 (it was trained with a low temperature): its margins are smaller.
describe.each([
  { model: localModels["e5-small-v2"], gap: 0.05 },
  { model: localModels["all-minilm-l6-v2"], gap: 0.2 },
])("LocalEmbedder with $model.name", ({ model, gap }) => {
  const embedder = new LocalEmbedder(model);
  let vectors: number[][] = [];

  beforeAll(async () => {
    const [s = [], u = []] = await embedder.embed([statement, unrelated]);
    const [q = []] = await embedder.embed([question], "query");
    vectors = [s, q, u];
  }, 30_000);

  it("names itself after its model and gives 384 dimensions", () => {
    expect(embedder.name).toBe(`local:${model.name}`);
    expect(embedder.dimensions).toBe(384);
    for (const v of vectors) expect(v).toHaveLength(384);
  });

  it("gives unit-length vectors", () => {
    for (const v of vectors) expect(Math.hypot(...v)).toBeCloseTo(1, 5);
  });

  it("puts a paraphrase with no shared content word clearly nearer than an unrelated sentence", () => {
    const [s = [], q = [], u = []] = vectors;
    const paraphrase = dot(s, q);
    expect(paraphrase - dot(s, u)).toBeGreaterThan(gap);
    expect(paraphrase - dot(q, u)).toBeGreaterThan(gap);
  });

  it("embeds a question as a query when told to (e5 reads a prefix), else as a stored text", async () => {
    const [asPassage = []] = await embedder.embed([question]);
    const same = dot(asPassage, vectors[1] ?? []);
    if (model.prefixes.query === model.prefixes.passage) expect(same).toBeCloseTo(1, 5);
    else expect(same).toBeLessThan(0.999);
  });

  it("gives in a batch what it gives one text at a time", async () => {
    const single = await Promise.all([statement, unrelated].map((t) => embedder.embed([t])));
    expect(single.map(([one]) => one)).toEqual([vectors[0], vectors[2]]);
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

describe("LocalEmbedder without its files", () => {
  it("throws one ConfigError naming the command that fetches the model", () => {
    const empty = mkdtempSync(join(tmpdir(), "hm-no-model-"));
    let thrown: unknown;
    try {
      new LocalEmbedder(localModels["e5-small-v2"], empty);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    const message = (thrown as ConfigError).message;
    expect(message).toContain(`${modelFetchCommand} -- --model e5-small-v2 --dir ${empty}`);
    expect(message).toContain(join(empty, "model.onnx"));
    expect(message.split("\n")).toHaveLength(2);
  });
});

describe("the embedding config", () => {
  const noTiers = Object.fromEntries(
    ["CHROMADB", "NEO4J", "POSTGRESQL"].map((t) => [`HIERARCHICAL_MEMORY_${t}_ENABLED`, "false"]),
  );
  const cacheOnly = {
    HIERARCHICAL_MEMORY_REDIS_URL: "http://127.0.0.1:1",
    HIERARCHICAL_MEMORY_REDIS_PASSWORD: "t",
  };
  const loadConfig = (env: Record<string, string>) => load({ ...noTiers, ...cacheOnly, ...env });
  const embedding = (env: Record<string, string>) => loadConfig({ ...env }).embedding;
  it("gives hashing by default, e5-small-v2 for local, and all-minilm-l6-v2 for the older local-minilm", () => {
    expect(createEmbedder(embedding({})).name).toBe("hashing");
    expect(createEmbedder(embedding({ HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER: "local" })).name).toBe(
      "local:e5-small-v2",
    );
    expect(createEmbedder(embedding({ HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER: "local-minilm" })).name).toBe(
      "local:all-minilm-l6-v2",
    );
  });

  it("keeps each model's vectors in collections of its own", () => {
    const collection = (env: Record<string, string>) => loadConfig({ ...env }).chroma.collection;
    const base = collection({});
    expect(collection({ HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER: "local" })).toBe(`${base}_e5-small-v2`);
    expect(
      collection({
        HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER: "local",
        HIERARCHICAL_MEMORY_EMBEDDING_LOCAL_MODEL: "all-minilm-l6-v2",
      }),
    ).toBe(`${base}_all-minilm-l6-v2`);
  });

  it("refuses an unknown local model with the names it knows", () => {
    expect(() => loadConfig({ HIERARCHICAL_MEMORY_EMBEDDING_LOCAL_MODEL: "gpt-9" })).toThrow(/e5-small-v2/);
  });
});
