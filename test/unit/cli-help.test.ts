/**
 * Every command of ours (each `tsx <file>` script in package.json, and the load report's rewriter)
 * answers --help with its flags and exit code 0, without a service: the service URLs point at closed
 * ports, so a command that built its config or a client before answering would fail instead. An
 * unknown flag is one line on stderr and exit code 2, not a stack trace.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url).pathname;
const scripts = (
  JSON.parse(readFileSync(`${root}package.json`, "utf8")) as { scripts: Record<string, string> }
).scripts;

/** Each command's flags, as its --help must name them. A new command adds its line here. */
const flags: Record<string, string[]> = {
  start: [],
  "local:up": [],
  "local:down": [],
  "local:status": [],
  keys: [],
  schema: [],
  sweep: ["--tenant"],
  rebuild: ["--tiers", "--user"],
  "model:fetch": ["--dir", "--force"],
  example: ["--url", "--key"],
  migrate: [
    "--dry-run",
    "--users",
    "--batch-size",
    "--concurrency",
    "--resume",
    "--run",
    "--validate",
    "--rollback",
    "--list",
  ],
  "legacy:fixture": ["--records", "--seed", "--replace"],
  "migrate:cloud": [
    "--state-machine-arn",
    "--users",
    "--batch-size",
    "--group-size",
    "--validate",
    "--resume",
    "--no-wait",
  ],
  "smoke:bundle": [],
  bench: [
    "--sizes",
    "--users",
    "--seconds",
    "--connections",
    "--store-connections",
    "--samples",
    "--no-legacy",
    "--no-cold-start",
    "--settle-seconds",
    "--embedder",
    "--corner",
    "--cpu-profile",
    "--out",
  ],
  "bench:soak": ["--minutes", "--window", "--connections", "--users", "--out"],
  "bench:scoped": ["--exchanges", "--users", "--session-length", "--samples", "--out"],
  "bench:one-memory": ["--exchanges", "--users", "--samples", "--out"],
  "bench:locomo": ["--data", "--out", "--fresh", "--speaker-in-text"],
  "bench:migration": ["--records", "--batch-size", "--concurrency", "--seed", "--validate", "--out"],
  "bench:busy-bot": ["--clients", "--users", "--seconds", "--embedder", "--out"],
  "bench:import": ["--lines", "--batch-size", "--concurrency", "--seed", "--validate", "--out"],
  "bench:profile": ["--top"],
  "bench:embedding": ["--provider", "--queries", "--batches"],
  "bench:shards": ["--users", "--shards", "--chunk", "--queries", "--settle", "--out"],
  "rewrite-report": [],
};

/** Script name -> the tsx arguments it runs (`tsx infra/local/cli.ts up` -> [file, "up"]). */
const commands: Record<string, string[]> = {
  ...Object.fromEntries(
    Object.entries(scripts)
      .filter(([, script]) => script.startsWith("tsx "))
      .map(([name, script]) => [name, script.split(/\s+/).slice(1)]),
  ),
  "rewrite-report": ["bench/load/rewrite-report.ts"],
};

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

const closed = "127.0.0.1:1";
const env = {
  ...process.env,
  // The Node that runs the tests (the repository's pinned one) runs tsx too.
  PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ""}`,
  HIERARCHICAL_MEMORY_REDIS_URL: `http://${closed}`,
  HIERARCHICAL_MEMORY_POSTGRESQL_URL: `postgresql://${closed}/none`,
  HIERARCHICAL_MEMORY_CHROMADB_URL: `http://${closed}`,
  HIERARCHICAL_MEMORY_NEO4J_URI: `bolt://${closed}`,
  MIGRATION_STATE_MACHINE_ARN: "",
  NO_COLOR: "1",
};

function run(args: string[]): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(`${root}node_modules/.bin/tsx`, args, { cwd: root, env, timeout: 20_000 });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const unknownFlag = ["migrate", "keys", "bench"];
const help = new Map<string, Outcome>();
const refused = new Map<string, Outcome>();

beforeAll(async () => {
  // A few at a time (each is a short Node process, mostly tsx starting up), so each one's timeout means something.
  const jobs = [
    ...Object.keys(commands).map((name) => [help, name, "--help"] as const),
    ...unknownFlag.map((name) => [refused, name, "--no-such-flag"] as const),
  ];
  const worker = async () => {
    for (let job = jobs.shift(); job; job = jobs.shift()) {
      const [outcomes, name, flag] = job;
      outcomes.set(name, await run([...(commands[name] ?? []), flag]));
    }
  };
  await Promise.all(Array.from({ length: Math.max(2, availableParallelism()) }, worker));
}, 120_000);

describe("every command's --help", () => {
  it("covers every tsx script in package.json", () => {
    expect(Object.keys(commands).sort()).toEqual(Object.keys(flags).sort());
  });

  it.each(Object.keys(flags))("%s prints its usage and flags and exits 0", (name) => {
    const outcome = help.get(name);
    expect(outcome?.stderr).toBe("");
    expect(outcome?.code).toBe(0);
    expect(outcome?.stdout).toMatch(/^Usage: /);
    for (const flag of [...(flags[name] ?? []), "--help"])
      expect(outcome?.stdout, flag).toMatch(new RegExp(`^ +(-\\w, )?${flag}\\b`, "m"));
  });
});

describe("an unknown flag", () => {
  it.each(unknownFlag)("%s: one line naming the flag, exit code 2", (name) => {
    const outcome = refused.get(name);
    expect(outcome?.code).toBe(2);
    expect(outcome?.stdout).toBe("");
    expect(outcome?.stderr).toBe(`${name}: unknown option '--no-such-flag'; run with --help for usage\n`);
  });
});
