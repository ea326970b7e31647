/**
 * What the CLIs that work on the memory share: the environment (the local emulation when no service
 * URL is set), the config parsed once, a memory built on it, and that memory closed whatever happens.
 * Loaded lazily, so `--help` and usage errors never touch a store.
 */
import type { Memory, MemoryDeps } from "../../shared/runtime/create-memory.js";

export async function withMemory<T>(
  work: (memory: Memory) => Promise<T>,
  deps: Partial<Pick<MemoryDeps, "logger">> = {},
): Promise<T> {
  const [{ loadConfig }, { createMemory }, { resolveEnv }] = await Promise.all([
    import("../../shared/config/index.js"),
    import("../../shared/runtime/create-memory.js"),
    import("../local/resolve-env.js"),
  ]);
  const memory = createMemory(loadConfig((await resolveEnv()).env), deps);
  try {
    return await work(memory);
  } finally {
    await memory.close();
  }
}
