/** template.env is the user's reference: it must list every variable, with the schema's own default. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readEnvFile } from "../../infra/local/env-file.js";
import { envSchema } from "../../shared/config/schema.js";

const templatePath = new URL("../../template.env", import.meta.url).pathname;
const template = readEnvFile(templatePath);
const lines = readFileSync(templatePath, "utf8").split("\n");

describe("template.env", () => {
  it("lists exactly the variables of the config schema", () => {
    expect(Object.keys(template).sort()).toEqual(Object.keys(envSchema.shape).sort());
  });

  it("gives each variable the schema's default (blank where there is none)", () => {
    const defaults = envSchema.parse({});
    for (const [name, value] of Object.entries(template)) {
      const fallback = defaults[name as keyof typeof defaults];
      expect(value, name).toBe(fallback === undefined ? "" : String(fallback));
    }
  });

  it("puts a one-line comment above every variable", () => {
    lines.forEach((line, i) => {
      if (/^[A-Z]/.test(line)) expect(lines[i - 1], line).toMatch(/^# /);
    });
  });
});
