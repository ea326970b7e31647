/** Uses the machine's Redis on 6379 when it answers; otherwise starts a private redis-server. */
import type { ChildProcess } from "node:child_process";
import { freePort, spawnLogged, tcpAnswers, waitFor } from "../process-utils.js";

export interface RunningRedis {
  url: string;
  child?: ChildProcess;
}

export async function ensureRedis(dataDir: string): Promise<RunningRedis> {
  if (await tcpAnswers(6379)) return { url: "redis://127.0.0.1:6379" };
  return startRedis(dataDir);
}

/** A private redis-server (no persistence) on `port` or a free one. */
export async function startRedis(dataDir: string, port?: number): Promise<Required<RunningRedis>> {
  port ??= await freePort();
  const child = spawnLogged(`redis-${port}`, "redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    dataDir,
  ]);
  await waitFor("redis-server", () => tcpAnswers(port), 15_000);
  return { url: `redis://127.0.0.1:${port}`, child };
}
