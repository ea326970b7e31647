/** The OpenAI-compatible embedder against a local endpoint speaking that API's shape. */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { HttpEmbedder } from "../../shared/processing/embedder.js";

const requests: { auth?: string; body: { model: string; input: string[] } }[] = [];
let status = 200;
const server = createServer((req, res) => {
  let raw = "";
  req.on("data", (c) => {
    raw += c;
  });
  req.on("end", () => {
    const body = JSON.parse(raw) as { model: string; input: string[] };
    requests.push({ auth: req.headers.authorization, body });
    // Answer out of order: the embedder must order by index.
    const data = body.input.map((text, index) => ({ index, embedding: [text.length, index] })).reverse();
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify({ data }));
  });
});
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("HttpEmbedder", () => {
  it("posts the model and inputs with the key, and returns vectors in input order", async () => {
    const embedder = new HttpEmbedder({ url, apiKey: "sk-test", model: "m1", dimensions: 2 });
    expect(await embedder.embed(["a", "bbb"])).toEqual([
      [1, 0],
      [3, 1],
    ]);
    expect(requests.at(-1)).toEqual({ auth: "Bearer sk-test", body: { model: "m1", input: ["a", "bbb"] } });
  });

  it("fails with the endpoint's status when it refuses", async () => {
    status = 429;
    const embedder = new HttpEmbedder({ url, model: "m1", dimensions: 2 });
    await expect(embedder.embed(["x"])).rejects.toThrow("embeddings endpoint answered 429");
    status = 200;
  });
});
