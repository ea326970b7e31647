/**
 * The Python client (shared/client/python) against the real API server on the emulated stores: its
 * own pytest suite, run with Debian's python3 and pytest (.ci/run installs them), given the server's
 * URL and a tenant key. It checks the client against the served /openapi.json, a whole bot's round
 * trip, typed errors, retries on 503/429 honouring Retry-After, and webhooks (verify_webhook, and a
 * receiver it starts getting a signed ping).
 */
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startApi } from "../helpers/api.js";

// Its tests register a webhook receiver on this machine.
const api = await startApi({ HIERARCHICAL_MEMORY_WEBHOOK_ALLOW_LOOPBACK: "true" });
const { key } = await api.tenant();
const root = fileURLToPath(new URL("../../shared/client/python/", import.meta.url));

function pytest(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("python3", ["-m", "pytest", "-q", "-p", "no:cacheprovider"], {
      cwd: root,
      env: { ...process.env, HM_API_URL: api.base, HM_API_KEY: key, PYTHONDONTWRITEBYTECODE: "1" },
    });
    let output = "";
    child.stdout.on("data", (d) => {
      output += d;
    });
    child.stderr.on("data", (d) => {
      output += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output }));
  });
}

describe("the Python client", () => {
  it("passes its pytest suite against the running API", { timeout: 120_000 }, async () => {
    const { code, output } = await pytest();
    expect(output, output).toMatch(/\d+ passed/);
    expect(output, output).not.toMatch(/failed|error/i);
    expect(code, output).toBe(0);
  });
});
