/**
 * Runs the API function exactly as `cdk synth` bundled it (cdk.out) against the configured stores (the
 * local emulation by default): imports the bundle, sends GET /v1/health as an API Gateway HTTP API
 * event, and fails unless every tier answers. Prints the import and first-response times. Then runs
 * the import tasks' bundle the same way: its Plan task, for an import that does not exist, must reach
 * Postgres and refuse it by the error name the state machine relies on (minified, a class name would not survive).
 *
 *   npx cdk synth --quiet && npm run smoke:bundle
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CliError, type Command, parseCommandLine, runMain } from "../cli/run-cli.js";

const outDir = resolve("cdk.out");
const templateFile = join(outDir, "HierarchicalMemory.template.json");

const command = {
  name: "smoke:bundle",
  usage: ["npx cdk synth --quiet && npm run smoke:bundle"],
  about: `
Runs the schema function as a deploy does (it prepares every tier), then the API function exactly as cdk
synth bundled it (cdk.out/HierarchicalMemory.template.json and its asset) against the configured stores:
imports the bundle, sends it GET /v1/health as an API Gateway HTTP
API event, and fails unless every tier answers. Prints one JSON line: apiBundleBytes, importMs, firstResponseMs, status,
and the health status (ok: every tier answered). Fails too if the bundle holds the ONNX runtime (the
local-minilm embedder is not deployed). Then imports the import tasks' bundle and runs its plan task for
an unknown import: it must answer ImportRefused (the error name the import state machine does not
retry), which takes the config and Postgres. It takes no flags.`,
  options: {},
  notes: `
Environment: the service settings of template.env (with no service URL set, the local emulation, started
if needed), given to the bundle as its environment. Run from the repository root (cdk.out is relative).

Exit status: 0 every tier answered and the import tasks refused; 1 no bundle in cdk.out, a tier did not
answer, or the import tasks failed otherwise; 2 for a usage error.`,
} satisfies Command;

parseCommandLine(command);

runMain(command, async () => {
  if (!existsSync(templateFile)) throw new CliError(`no ${templateFile}: run npx cdk synth first`);
  const template = JSON.parse(readFileSync(templateFile, "utf8")) as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
  };
  /** The bundle (index.mjs) of the first function whose logical id starts with `prefix`. */
  const bundleOf = (prefix: string, name: string) => {
    const found = Object.entries(template.Resources).find(
      ([id, r]) => id.startsWith(prefix) && r.Type === "AWS::Lambda::Function",
    );
    const asset = found?.[1].Metadata?.["aws:asset:path"];
    if (!asset) throw new CliError(`no bundled ${name} function in cdk.out: run npx cdk synth first`);
    const file = join(outDir, asset, "index.mjs");
    // The cloud embeds over HTTP: the ONNX runtime (imported only by the local model's worker thread,
    // which is not bundled) must stay out of the bundle.
    const code = readFileSync(file, "utf8");
    if (code.includes("onnxruntime_binding") || code.includes("InferenceSession"))
      throw new CliError(`the ${name} bundle holds the ONNX runtime, which is not deployed`);
    return file;
  };
  const schemaBundle = bundleOf("Schema", "schema");
  const apiBundle = bundleOf("Api", "API");
  const importsBundle = bundleOf("ImportPlan", "import tasks");
  const { resolveEnv } = await import("../local/resolve-env.js");
  Object.assign(process.env, (await resolveEnv()).env);
  // The functions are deployed without the local model (its runtime stays out of the bundles, checked
  // above): a local emulation set to it would fail the bundle's semantic tier and skew its first answer.
  if (process.env.HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER?.startsWith("local"))
    process.env.HIERARCHICAL_MEMORY_EMBEDDING_PROVIDER = "hashing";
  // As a deploy does: the schema function prepares the tiers before any other function runs.
  const schema = (await import(pathToFileURL(schemaBundle).href)) as { handler: () => Promise<unknown> };
  await schema.handler();
  const started = performance.now();
  const bundle = (await import(pathToFileURL(apiBundle).href)) as {
    handler: (event: unknown, context: unknown) => Promise<{ statusCode: number; body: string }>;
  };
  const imported = performance.now();
  const response = await bundle.handler(
    {
      version: "2.0",
      routeKey: "$default",
      rawPath: "/v1/health",
      rawQueryString: "",
      headers: { host: "smoke.local" },
      requestContext: {
        http: {
          method: "GET",
          path: "/v1/health",
          protocol: "HTTP/1.1",
          sourceIp: "127.0.0.1",
          userAgent: "smoke",
        },
        requestId: "smoke",
        stage: "$default",
        timeEpoch: Date.now(),
      },
      isBase64Encoded: false,
    },
    {},
  );
  // Anonymous health: "ok" once every tier answers its ping (tier detail needs an operator key).
  const body = JSON.parse(response.body) as { status: string };
  const answered = performance.now();

  const tasks = (await import(pathToFileURL(importsBundle).href)) as {
    plan: (event: unknown) => Promise<unknown>;
  };
  const planned = await tasks.plan({ importId: crypto.randomUUID() }).then(
    () => new Error("planned an import that does not exist"),
    (error: unknown) => error,
  );
  const importTasks = planned instanceof Error ? planned.name : String(planned);
  console.log(
    JSON.stringify({
      apiBundleBytes: statSync(apiBundle).size,
      importMs: Math.round(imported - started),
      firstResponseMs: Math.round(answered - started),
      status: response.statusCode,
      health: body.status,
      importTasksMs: Math.round(performance.now() - answered),
      importTasks,
    }),
  );
  if (response.statusCode !== 200 || body.status !== "ok")
    throw new CliError(`bundle answered ${response.body}`);
  if (importTasks !== "ImportRefused") {
    // Postgres's undefined_table: the functions expect the schema a deploy applies first.
    const noSchema =
      (planned as { code?: unknown }).code === "42P01" ? " (the database has no schema: npm run schema)" : "";
    throw new CliError(
      `the import tasks' plan should refuse an unknown import (ImportRefused), not: ${String(planned)}${noSchema}`,
    );
  }
});
