/**
 * The environment a local command runs with: the process environment, over the local emulation's
 * service URLs when no service URL is configured (the emulation is brought up for it then).
 */
import { tmpdir } from "node:os";
import { ensureLocalUp } from "./control.js";
import { repoRoot } from "./paths.js";

const serviceUrlVars = [
  "HIERARCHICAL_MEMORY_REDIS_URL",
  "HIERARCHICAL_MEMORY_POSTGRESQL_URL",
  "HIERARCHICAL_MEMORY_CHROMADB_URL",
  "HIERARCHICAL_MEMORY_NEO4J_URI",
];

export async function resolveEnv(): Promise<{
  env: Record<string, string | undefined>;
  startedLocal: boolean;
}> {
  if (serviceUrlVars.some((name) => process.env[name])) return { env: process.env, startedLocal: false };
  console.error("No service URLs configured: using the local emulation (npm run local:up).");
  const local = await ensureLocalUp();
  // A webhook receiver on this machine, and a file of this machine to import, are what one tries
  // locally; the cloud refuses loopback endpoints (config rules) and has no files.
  const localDefaults = {
    HIERARCHICAL_MEMORY_WEBHOOK_ALLOW_LOOPBACK: "true",
    HIERARCHICAL_MEMORY_IMPORT_LOCAL_DIRS: `${repoRoot},${tmpdir()}`,
  };
  return { env: { ...localDefaults, ...local.env, ...process.env }, startedLocal: local.started };
}
