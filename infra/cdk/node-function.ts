/** Our Lambda defaults: esbuild bundle (ESM, minified, source maps), arm64, Node 24, logs kept a month. */
import { Duration } from "aws-cdk-lib";
import { Architecture, Runtime, Tracing } from "aws-cdk-lib/aws-lambda";
import {
  type ICommandHooks,
  NodejsFunction,
  type NodejsFunctionProps,
  OutputFormat,
} from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";

/** The newest Lambda Node.js runtime; the test suite runs on the same Node major (a pinned dev dependency). */
export const runtime = Runtime.NODEJS_24_X;

export function nodeFunction(
  scope: Construct,
  id: string,
  props: { entry: string; handler?: string } & Partial<NodejsFunctionProps>,
): NodejsFunction {
  return new NodejsFunction(scope, id, {
    runtime,
    architecture: Architecture.ARM_64,
    memorySize: 1024,
    timeout: Duration.seconds(30),
    tracing: Tracing.ACTIVE,
    logGroup: new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH }),
    ...props,
    environment: { NODE_OPTIONS: "--enable-source-maps", ...props.environment },
    bundling: {
      format: OutputFormat.ESM,
      minify: true,
      // Error class names survive minification: Step Functions' retry rules and the logs match on them.
      keepNames: true,
      sourceMap: true,
      target: "node24",
      // Some dependencies still call require(): give the ESM bundle one.
      banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      // The AWS SDK is in the runtime. The local-minilm embedder (onnxruntime-node's native library, its
      // tokenizer, a 23 MB model) is not deployed: the cloud embeds with openai-compatible or hashing.
      externalModules: ["@aws-sdk/*", "onnxruntime-node", "@huggingface/tokenizers"],
      ...props.bundling,
    },
  });
}

/**
 * Bundling hooks that copy `files` from the project folder `from` into the folder `to` beside the
 * bundle's index.mjs, for code that reads them at run time relative to its module (import.meta.url
 * is index.mjs once bundled).
 */
export function copyIntoBundle(from: string, to: string, files: readonly string[]): ICommandHooks {
  return {
    beforeBundling: () => [],
    beforeInstall: () => [],
    afterBundling: (inputDir, outputDir) => [
      `mkdir -p "${outputDir}/${to}"`,
      `cp ${files.map((f) => `"${inputDir}/${from}/${f}"`).join(" ")} "${outputDir}/${to}/"`,
    ],
  };
}
