/**
 * The served OpenAPI document passes `redocly lint` with its recommended rules, with no error and no
 * warning: what client generators (and the Python client's drift check) rely on.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { inMemoryApi } from "../../helpers/in-memory-api.js";

const redocly = new URL("../../../node_modules/.bin/redocly", import.meta.url).pathname;

describe("the OpenAPI document", () => {
  it("passes redocly lint (recommended) with 0 errors and 0 warnings", { timeout: 60_000 }, async () => {
    const doc = await (await inMemoryApi().app.request("/openapi.json")).text();
    const file = join(mkdtempSync(join(tmpdir(), "openapi-")), "openapi.json");
    writeFileSync(file, doc);
    const run = spawnSync(redocly, ["lint", file, "--format", "summary"], {
      encoding: "utf8",
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(0);
    expect(output, output).not.toMatch(/warning|error/i);
  });
});
