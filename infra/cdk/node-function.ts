/** Our Lambda defaults: esbuild bundle (ESM, minified, source maps), arm64, Node 22, short logs retention. */
import { Duration } from "aws-cdk-lib";
import { Architecture, Runtime } from "aws-cdk-lib/aws-lambda";
import { NodejsFunction, type NodejsFunctionProps, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";

export function nodeFunction(
  scope: Construct,
  id: string,
  props: { entry: string; handler?: string } & Partial<NodejsFunctionProps>,
): NodejsFunction {
  return new NodejsFunction(scope, id, {
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    memorySize: 1024,
    timeout: Duration.seconds(30),
    logGroup: new LogGroup(scope, `${id}Logs`, { retention: RetentionDays.ONE_MONTH }),
    ...props,
    bundling: {
      format: OutputFormat.ESM,
      minify: true,
      sourceMap: true,
      target: "node22",
      // Some dependencies still call require(): give the ESM bundle one.
      banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
      environment: { NODE_OPTIONS: "--enable-source-maps" },
      ...props.bundling,
    },
  });
}
