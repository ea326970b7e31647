/**
 * Starts and stops the emulation supervisor. `up` is idempotent: a running, answering emulation is
 * reused. `down` stops the supervisor, which stops its children, and waits until all are gone.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "../cli/run-cli.js";
import { readEnvFile } from "./env-file.js";
import { envFile, localDir, logDir, stateFile } from "./paths.js";
import { isAlive, waitFor } from "./process-utils.js";

export interface LocalState {
  pid: number;
  startedAt: string;
  startupMs: number;
  versions: Record<string, string>;
}

export function readState(): LocalState | undefined {
  if (!existsSync(stateFile)) return undefined;
  const state = JSON.parse(readFileSync(stateFile, "utf8")) as LocalState;
  return isAlive(state.pid) ? state : undefined;
}

/**
 * Brings the emulation up unless it is already running; returns its env (service URLs). A start that
 * fails is a CliError (the commands print its message, which names the log, without a stack).
 */
export async function ensureLocalUp(): Promise<{
  env: Record<string, string>;
  state: LocalState;
  started: boolean;
}> {
  const running = readState();
  if (running && existsSync(envFile)) return { env: readEnvFile(), state: running, started: false };
  rmSync(stateFile, { force: true });
  mkdirSync(logDir, { recursive: true });
  const logPath = join(logDir, "supervisor.log");
  const log = openSync(logPath, "a");
  const script = fileURLToPath(new URL("./supervisor.ts", import.meta.url));
  const child = spawn(process.execPath, ["--import", "tsx", script], {
    detached: true,
    stdio: ["ignore", log, log],
    cwd: join(localDir, ".."),
  });
  child.unref();
  let exited = false;
  child.once("exit", () => {
    exited = true;
  });
  await waitFor(
    "the local emulation",
    async () => {
      if (exited) throw new Error(`the emulation failed to start; see ${logPath}:\n${tail(logPath)}`);
      return readState() !== undefined;
    },
    10 * 60_000,
  ).catch((error: Error) => {
    if (!exited) child.kill("SIGTERM");
    throw new CliError(
      exited ? `the emulation failed to start; see ${logPath}:\n${tail(logPath)}` : error.message,
    );
  });
  const state = readState();
  if (!state) throw new CliError("the local emulation stopped right after starting");
  return { env: readEnvFile(), state, started: true };
}

/** Stops the emulation if it runs; resolves once the supervisor and its children are gone. */
export async function stopLocal(): Promise<boolean> {
  if (!existsSync(stateFile)) return false;
  const { pid } = JSON.parse(readFileSync(stateFile, "utf8")) as LocalState;
  if (!isAlive(pid)) {
    rmSync(stateFile, { force: true });
    return false;
  }
  process.kill(pid, "SIGTERM");
  try {
    await waitFor("the emulation to stop", async () => !isAlive(pid), 30_000);
  } catch {
    process.kill(pid, "SIGKILL");
  }
  rmSync(stateFile, { force: true });
  rmSync(envFile, { force: true });
  return true;
}

function tail(path: string, lines = 30): string {
  return existsSync(path) ? readFileSync(path, "utf8").split("\n").slice(-lines).join("\n") : "";
}
