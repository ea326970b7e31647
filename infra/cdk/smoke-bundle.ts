/**
 * Runs the API function exactly as `cdk synth` bundled it (cdk.out) against the configured stores (the
 * local emulation by default): imports the bundle, sends GET /v1/health as an API Gateway HTTP API
 * event, and fails unless every tier answers. Prints the import and first-response times.
 *
 *   npx cdk synth --quiet && npm run smoke:bundle
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { resolveEnv } from "../local/resolve-env.js";

const outDir = resolve("cdk.out");

async function main() {
  const template = JSON.parse(readFileSync(join(outDir, "HierarchicalMemory.template.json"), "utf8")) as {
    Resources: Record<string, { Type: string; Metadata?: Record<string, string> }>;
  };
  const api = Object.entries(template.Resources).find(
    ([id, r]) => id.startsWith("Api") && r.Type === "AWS::Lambda::Function",
  );
  const asset = api?.[1].Metadata?.["aws:asset:path"];
  if (!asset) throw new Error("no bundled API function in cdk.out: run npx cdk synth first");
  Object.assign(process.env, (await resolveEnv()).env);
  const started = performance.now();
  const bundle = (await import(pathToFileURL(join(outDir, asset, "index.mjs")).href)) as {
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
  const body = JSON.parse(response.body) as { status: string; tiers: { tier: string; ok: boolean }[] };
  console.log(
    JSON.stringify({
      importMs: Math.round(imported - started),
      firstResponseMs: Math.round(performance.now() - started),
      status: response.statusCode,
      tiers: Object.fromEntries(body.tiers.map((t) => [t.tier, t.ok])),
    }),
  );
  if (response.statusCode !== 200 || body.tiers.some((t) => !t.ok))
    throw new Error(`bundle answered ${response.body}`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
