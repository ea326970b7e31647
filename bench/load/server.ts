/** The API as its own process (`npm start`'s entry) on a free port, so the load generator never shares its event loop. */
import { type ChildProcess, spawn } from "node:child_process";
import { freePort, stopChild } from "../../infra/local/process-utils.js";

export async function startServer(
  env: Record<string, string | undefined>,
  options: { cpuProfileDir?: string } = {},
): Promise<{ url: string; stop: () => Promise<void>; child: ChildProcess }> {
  const port = await freePort();
  const profile = options.cpuProfileDir ? ["--cpu-prof", "--cpu-prof-dir", options.cpuProfileDir] : [];
  // node itself (not the tsx wrapper), so stopping it stops the server.
  const child = spawn(
    process.execPath,
    [...profile, "--import", "tsx", "--import", "./bench/load/exit-with-parent.ts", "infra/local/start.ts"],
    {
      env: {
        ...process.env,
        ...env,
        PORT: String(port),
        LOG_LEVEL: "warn",
        HIERARCHICAL_MEMORY_RATE_LIMIT_PER_MINUTE: "0",
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("Listening on")) resolve();
    });
    child.on("exit", (code) => reject(new Error(`the API exited with ${code} before listening`)));
  });
  return { url: `http://127.0.0.1:${port}`, child, stop: () => stopChild(child) };
}
