/** Reads and writes the emulation's env file (KEY=value lines), which the app and tests load. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { envFile } from "./paths.js";

export function writeEnvFile(values: Record<string, string>, path = envFile): void {
  const lines = Object.entries(values).map(([key, value]) => `${key}=${value}`);
  writeFileSync(
    path,
    `# Written by the local emulation (npm run local:up); do not edit.\n${lines.join("\n")}\n`,
    {
      mode: 0o600,
    },
  );
}

export function readEnvFile(path = envFile): Record<string, string> {
  if (!existsSync(path)) return {};
  const values: Record<string, string> = {};
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match?.[1]) values[match[1]] = match[2] ?? "";
  }
  return values;
}
