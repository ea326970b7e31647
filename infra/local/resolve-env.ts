/**
 * The environment a local command runs with: the process environment, over the local emulation's
 * service URLs when no service URL is configured (the emulation is brought up for it then).
 */
import { ensureLocalUp } from "./control.js";

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
  // A webhook receiver on this machine is what one tries locally; the cloud refuses it (config rules).
  const localDefaults = { HIERARCHICAL_MEMORY_WEBHOOK_ALLOW_LOOPBACK: "true" };
  return { env: { ...localDefaults, ...local.env, ...process.env }, startedLocal: local.started };
}
