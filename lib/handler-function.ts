import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { HttpHandlerName } from '#http/routes';
import { dropRoleDependsOn } from './depends-on';
import { HANDLER_METADATA_KEY } from './handler-metadata';
import { acknowledge } from './nag';

/** Repository root, found from this file so synthesis works from any working directory. */
export const PROJECT_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Every handler of docs/internals.md, by the file name under functions/handlers/. */
export type HandlerName =
  | HttpHandlerName
  | 'authorize' | 'ws-authorize' | 'ws-connect' | 'ws-disconnect' | 'ws-message'
  | 'validate-dataset' | 'notify' | 'check-adapter-import'
  | 'training-submit' | 'training-poll' | 'training-collect' | 'training-cancel-remote' | 'training-mark-failed' | 'reconcile'
  | 'retrain';

export interface HandlerFunctionProps {
  /** Environment variables (docs/internals.md) the handler reads. @default - none besides NODE_OPTIONS */
  readonly environment?: Record<string, string>;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default Duration.seconds(15) */
  readonly timeout?: Duration;
  /** How long the function's log group keeps events. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /** @default - the handler name */
  readonly description?: string;
}

const pascal = (name: string) => name.replace(/(^|-)([a-z0-9])/g, (_m, _d, c: string) => c.toUpperCase());

/** Path of a handler's entry file. */
export const handlerEntry = (name: HandlerName) => join(PROJECT_ROOT, 'functions', 'handlers', `${name}.ts`);

/**
 * One Lambda function running functions/handlers/<name>.ts: Node 22 on ARM64, bundled to ESM by the local
 * esbuild (no Docker). Its role may only write to its own log group (no AWS managed policy); callers add
 * grants for what the handler touches.
 */
export class HandlerFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly handlerName: HandlerName;

  constructor(scope: Construct, id: string, name: HandlerName, props: HandlerFunctionProps = {}) {
    super(scope, id);
    this.handlerName = name;
    const entry = handlerEntry(name);
    if (!existsSync(entry)) throw new Error(`Handler ${name} has no entry file at ${entry}.`);

    const logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${name} handler`,
    });
    logGroup.grantWrite(role);

    this.fn = new NodejsFunction(this, 'Function', {
      entry,
      handler: 'handler',
      description: props.description ?? `Loraworks ${name}`,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(15),
      role,
      logGroup,
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: join(PROJECT_ROOT, 'package-lock.json'),
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        platform: 'node',
        mainFields: ['module', 'main'],
        banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
        sourceMap: true,
        sourcesContent: false,
        minify: true,
        // Bundle the AWS SDK too: the versions in package-lock.json are the ones tested.
        externalModules: [],
        forceDockerBundling: false,
      },
    });
    (this.fn.node.defaultChild as CfnResource).addMetadata(HANDLER_METADATA_KEY, name);
    dropRoleDependsOn(this.fn, role);
    acknowledge(this.fn, 'AwsSolutions-L1',
      'Node 22 is the project\'s pinned runtime (docs/internals.md): the local cloud, tests and Lambda run the same major version.');
  }

  /** The construct id convention: handler name in PascalCase (create-job → CreateJob). */
  static idFor(name: HandlerName): string {
    return pascal(name);
  }
}

/** Creates the function for a handler name under the conventional construct id. */
export function handlerFunction(scope: Construct, name: HandlerName, props?: HandlerFunctionProps): NodejsFunction {
  return new HandlerFunction(scope, HandlerFunction.idFor(name), name, props).fn;
}
