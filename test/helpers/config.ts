/** Config for integration tests: the emulation's URLs (fresh database per run) plus overrides. */
import { inject } from "vitest";
import { type Config, loadConfig } from "../../shared/config/index.js";

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ ...inject("localEnv"), ...overrides });
}
