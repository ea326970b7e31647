/** Where the local emulation keeps its data, logs, state and the env file it writes. */

import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
export const localDir = process.env.HM_LOCAL_DIR ?? join(repoRoot, ".local");
export const envFile = join(localDir, "env");
export const stateFile = join(localDir, "state.json");
export const logDir = join(localDir, "logs");
export const neo4jProject = join(repoRoot, "infra/local/neo4j");
