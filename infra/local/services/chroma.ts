/** Starts a real Chroma server on a free port, data under .local/chroma. */
import type { ChildProcess } from "node:child_process";
import { mkdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { freePort, spawnLogged, waitFor } from "../process-utils.js";

export interface RunningChroma {
  url: string;
  child: ChildProcess;
  version: string;
}

export async function startChroma(dataDir: string, port?: number): Promise<RunningChroma> {
  mkdirSync(dataDir, { recursive: true });
  const chosen = port ?? (await freePort());
  const script = fileURLToPath(new URL("./chroma-process.mjs", import.meta.url));
  const child = spawnLogged(`chroma-${chosen}`, process.execPath, [script, dataDir, String(chosen)]);
  const url = `http://127.0.0.1:${chosen}`;
  await waitFor("Chroma", async () => (await fetch(`${url}/api/v2/heartbeat`)).ok, 60_000);
  const version = (await (await fetch(`${url}/api/v2/version`)).json()) as string;
  return { url, child, version };
}
