/**
 * Runs once per `npm test`: brings up the local emulation unless it is already up (and stops it
 * afterwards if it started it), then creates a fresh Postgres database for this run and hands the
 * service URLs to the tests through `inject("localEnv")`.
 */
import { randomBytes } from "node:crypto";
import type { TestProject } from "vitest/node";
import { ensureLocalUp, stopLocal } from "../infra/local/control.js";
import { dropDatabase, ensureDatabase } from "../infra/local/services/postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    localEnv: Record<string, string>;
  }
}

export default async function setup(project: TestProject) {
  const local = await ensureLocalUp();
  const wsProxy = local.env.HIERARCHICAL_MEMORY_POSTGRESQL_WS_PROXY ?? "";
  const database = `hm_test_${randomBytes(6).toString("hex")}`;
  const url = await ensureDatabase(wsProxy, database);
  project.provide("localEnv", { ...local.env, HIERARCHICAL_MEMORY_POSTGRESQL_URL: url });
  return async () => {
    await dropDatabase(wsProxy, database).catch((error: Error) => console.warn(error.message));
    if (local.started) await stopLocal();
  };
}
