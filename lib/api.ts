import { CfnResource, Duration } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { ADDITIONS_PREFIX, EDITS_PREFIX } from '#domain/dataset-edits';
import { VALIDATED_PREFIX } from '#domain/datasets';
import { IMPORTS_PREFIX } from '#domain/lora-import';
import { MAX_UPLOAD_BYTES } from '#domain/upload-limit';
import { MANIFEST_PREFIX, VERSION_BYTES_PREFIXES } from '#domain/dataset-manifest';
import { httpRoutes, type HttpHandlerName } from '#http/routes';
import { accessLogSettings } from './access-log';
import { grantListBucket, grantObjects, grantTokenLookup } from './grants';
import { handlerFunction } from './handler-function';
import type { Schedules } from './schedules';
import { HANDLER_METADATA_KEY } from './handler-metadata';
import { acknowledge, acknowledgeTableIndexes } from './nag';
import { ToolingUploadRole } from './tooling-uploads';
import { trainerEnv as trainerEnvFor } from './trainer-env';

export interface ApiProps {
  /** The single table. */
  readonly table: dynamodb.ITable;
  /** Dataset uploads land here (presigned POST). */
  readonly datasets: s3.IBucket;
  /** Trained LoRA files are downloaded from here (presigned GET). */
  readonly artifacts: s3.IBucket;
  /** Trainer keys, for reading the provider's catalog. */
  readonly trainerSecret: secretsmanager.ISecret;
  /** `owner/name` of the Replicate model trainings write to. @default - none: Replicate's trainers are left out of the catalog */
  readonly replicateDestination?: string;
  /** The Training workflow, started by POST /jobs. */
  readonly stateMachine: sfn.IStateMachine;
  /** The schedule group, retrain target, role and dead-letter queue the /schedules routes manage schedules with. */
  readonly schedules: Schedules;
  /** Issuer of the users' JWTs (every route but the public ones takes one of them or an API token). */
  readonly jwtIssuer: string;
  /** Accepted `aud` of the JWTs (the Cognito app client id). */
  readonly jwtAudience: string;
  /** Browser origins allowed by CORS. @default - CORS disabled */
  readonly corsOrigins?: string[];
  /** Largest dataset upload a presigned POST allows, in bytes. @default 2 GiB */
  readonly maxUploadBytes?: number;
  /** How long the access logs are kept. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  /**
   * How long API Gateway caches the authorizer's answer per Authorization header: a revoked API token still works
   * for at most this long. @default Duration.seconds(60)
   */
  readonly authorizerCacheTtl?: Duration;
}

/** What a handler reads from its environment, and the grants for what it touches. */
interface Access {
  readonly env?: Record<string, string>;
  readonly grant?: (fn: lambda.IFunction) => void;
}

/** Why each public route of the route table needs no authorizer (cdk-nag asks for a reason). */
const PUBLIC_BECAUSE: Partial<Record<HttpHandlerName, string>> = {
  health: 'GET /health is the documented unauthenticated liveness probe of the API contract; it reads no data.',
  'get-openapi': 'GET /openapi.json publishes the API contract, which is public; it reads no data.',
};

/**
 * The HTTP API of the API contract (functions/http/routes.ts): one Lambda per route (docs/internals.md), and one
 * Lambda authorizer (handlers/authorize.ts: a user's JWT or an API token) on every route the table does not mark public.
 */
export class Api extends Construct {
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  /** Base URL of the API, without a trailing slash. */
  readonly url: string;
  /** Function of each handler name. */
  readonly functions: Partial<Record<HttpHandlerName, lambda.IFunction>> = {};
  /** Route of each handler name. */
  readonly routes: Partial<Record<HttpHandlerName, apigwv2.HttpRoute>> = {};
  /** The authorizer's function. */
  readonly authorizerFunction: lambda.IFunction;
  /** The role of tooling's direct uploads, assumed by POST /upload-credentials. */
  readonly toolingUploadRole: iam.Role;

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { table, datasets, artifacts, trainerSecret, stateMachine, schedules } = props;

    // One authorizer for both kinds of token: a Cognito ID token (verified against the pool's JWKS) or an API token
    // (looked up by id, its secret checked against the stored hash). The WebSocket's $connect runs the same use case.
    this.authorizerFunction = handlerFunction(this, 'authorize', {
      environment: {
        TABLE_NAME: table.tableName,
        JWT_ISSUER: props.jwtIssuer,
        JWT_AUDIENCE: props.jwtAudience,
        JWKS_URI: `${props.jwtIssuer}/.well-known/jwks.json`,
      },
    });
    grantTokenLookup(this.authorizerFunction, table);
    const authorizer = new HttpLambdaAuthorizer('TokenAuthorizer', this.authorizerFunction, {
      authorizerName: 'jwt-or-api-token',
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: props.authorizerCacheTtl ?? Duration.seconds(60),
    });

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'Loraworks HTTP API',
      createDefaultStage: false,
      defaultAuthorizer: authorizer,
      corsPreflight: props.corsOrigins?.length ? {
        allowOrigins: props.corsOrigins,
        allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST, apigwv2.CorsHttpMethod.PATCH,
          apigwv2.CorsHttpMethod.DELETE, apigwv2.CorsHttpMethod.OPTIONS],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        maxAge: Duration.hours(1),
      } : undefined,
    });

    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: accessLogSettings(this, props.logRetention, {
        routeKey: '$context.routeKey', status: '$context.status', responseLength: '$context.responseLength',
        latency: '$context.responseLatency',
      }),
    });
    this.url = this.httpApi.apiEndpoint;

    const tableEnv = { TABLE_NAME: table.tableName };
    const trainerEnv = trainerEnvFor(trainerSecret, props.replicateDestination);
    const reads = (fn: lambda.IFunction) => table.grantReadData(fn);
    const writes = (fn: lambda.IFunction) => table.grantReadWriteData(fn);
    // Starting a job (the startJob use case): POST /jobs, and POST /schedules/{id}/run.
    const startsJobs: Access = {
      env: { ...tableEnv, ...trainerEnv, STATE_MACHINE_ARN: stateMachine.stateMachineArn },
      grant: (fn) => { writes(fn); stateMachine.grantStartExecution(fn); trainerSecret.grantRead(fn); },
    };
    const scheduleEnv = { ...tableEnv, ...schedules.environment };
    const managesSchedules = (fn: lambda.IFunction) => { writes(fn); schedules.grantManageSchedules(fn); };
    // A schedule's trainer and parameters are checked as POST /jobs checks them: against the provider's catalog.
    const writesSchedules: Access = {
      env: { ...scheduleEnv, ...trainerEnv },
      grant: (fn) => { managesSchedules(fn); trainerSecret.grantRead(fn); },
    };
    let toolingUploadRole: iam.Role | undefined;
    const access: Record<HttpHandlerName, Access> = {
      health: {},
      'get-openapi': {},
      'list-trainers': { env: trainerEnv, grant: (fn) => trainerSecret.grantRead(fn) },
      'create-dataset': { env: tableEnv, grant: writes },
      'list-datasets': { env: tableEnv, grant: reads },
      'get-dataset': { env: tableEnv, grant: reads },
      'list-dataset-files': {
        env: { ...tableEnv, DATASETS_BUCKET: datasets.bucketName },
        // The manifest, and a presigned GET of the validated bytes: the validated/ copy, or an INVALID version's
        // upload (datasets/ or incoming/) while it still holds them. A version without a manifest reads 404, not 403.
        grant: (fn) => {
          reads(fn);
          for (const prefix of [MANIFEST_PREFIX, ...VERSION_BYTES_PREFIXES]) grantObjects(fn, datasets, prefix, ['s3:GetObject']);
          grantListBucket(fn, datasets);
        },
      },
      // The two versions' manifests, nothing else.
      'diff-dataset-versions': {
        env: { ...tableEnv, DATASETS_BUCKET: datasets.bucketName },
        grant: (fn) => { reads(fn); grantObjects(fn, datasets, MANIFEST_PREFIX, ['s3:GetObject']); grantListBucket(fn, datasets); },
      },
      'create-upload': {
        env: { ...tableEnv, DATASETS_BUCKET: datasets.bucketName, MAX_UPLOAD_BYTES: String(props.maxUploadBytes ?? MAX_UPLOAD_BYTES) },
        // A presigned POST carries the signer's permission to put the object, nothing more.
        grant: (fn) => { writes(fn); grantObjects(fn, datasets, 'datasets/', ['s3:PutObject']); },
      },
      'create-dataset-version': {
        env: { ...tableEnv, DATASETS_BUCKET: datasets.bucketName, MAX_UPLOAD_BYTES: String(props.maxUploadBytes ?? MAX_UPLOAD_BYTES) },
        // Reads the source's zip directory (ranged GETs of its validated copy), stores the edit request, and
        // presigns the additions zip's POST.
        grant: (fn) => {
          writes(fn);
          grantObjects(fn, datasets, VALIDATED_PREFIX, ['s3:GetObject']);
          grantObjects(fn, datasets, EDITS_PREFIX, ['s3:PutObject']);
          grantObjects(fn, datasets, ADDITIONS_PREFIX, ['s3:PutObject']);
        },
      },
      'create-upload-credentials': {
        env: { DATASETS_BUCKET: datasets.bucketName },
        // Sessions of a role of their own, trusted by this function only (lib/tooling-uploads.ts).
        grant: (fn) => {
          toolingUploadRole = new ToolingUploadRole(this, 'ToolingUpload', { issuer: fn, bucket: datasets }).role;
          (fn as lambda.Function).addEnvironment('UPLOAD_ROLE_ARN', toolingUploadRole.roleArn);
        },
      },
      'create-job': startsJobs,
      // The checks of POST /jobs (the catalog, the dataset) and nothing written.
      'estimate-job': { env: { ...tableEnv, ...trainerEnv }, grant: (fn) => { reads(fn); trainerSecret.grantRead(fn); } },
      'list-jobs': { env: tableEnv, grant: reads },
      'get-job': { env: tableEnv, grant: reads },
      'get-job-logs': { env: tableEnv, grant: reads },
      'cancel-job': { env: tableEnv, grant: writes },
      'get-artifact': {
        env: { ...tableEnv, ARTIFACTS_BUCKET: artifacts.bucketName },
        // A presigned GET carries the signer's permission to read the object.
        grant: (fn) => { reads(fn); grantObjects(fn, artifacts, 'loras/', ['s3:GetObject']); },
      },
      'get-job-artifact': {
        env: { ...tableEnv, ARTIFACTS_BUCKET: artifacts.bucketName },
        grant: (fn) => { reads(fn); grantObjects(fn, artifacts, 'loras/', ['s3:GetObject']); },
      },
      'create-adapter': { env: tableEnv, grant: writes },
      'list-adapters': { env: tableEnv, grant: reads },
      'delete-adapter': {
        env: { ...tableEnv, ARTIFACTS_BUCKET: artifacts.bucketName },
        // An imported LoRA's file goes with its adapter; a job's LoRA stays with the job.
        grant: (fn) => { writes(fn); grantObjects(fn, artifacts, IMPORTS_PREFIX, ['s3:DeleteObject']); },
      },
      'create-adapter-import': {
        env: { ...tableEnv, ARTIFACTS_BUCKET: artifacts.bucketName },
        // A presigned POST carries the signer's permission to put the object, nothing more.
        grant: (fn) => { writes(fn); grantObjects(fn, artifacts, IMPORTS_PREFIX, ['s3:PutObject']); },
      },
      'get-adapter-artifact': {
        env: { ...tableEnv, ARTIFACTS_BUCKET: artifacts.bucketName },
        // A job's LoRA (loras/) or an imported one (imports/).
        grant: (fn) => { reads(fn); grantObjects(fn, artifacts, 'loras/', ['s3:GetObject']); grantObjects(fn, artifacts, IMPORTS_PREFIX, ['s3:GetObject']); },
      },
      'create-token': { env: tableEnv, grant: writes },
      'list-tokens': { env: tableEnv, grant: reads },
      'delete-token': { env: tableEnv, grant: writes },
      // One Scheduler schedule per Loraworks schedule (lib/schedules.ts): the writers manage the group's schedules,
      // passing the Scheduler role only; run-schedule starts a job in-process as POST /jobs does.
      'create-schedule': writesSchedules,
      'list-schedules': { env: scheduleEnv, grant: reads },
      'get-schedule': { env: scheduleEnv, grant: reads },
      'update-schedule': writesSchedules,
      'delete-schedule': { env: scheduleEnv, grant: managesSchedules },
      'run-schedule': { env: { ...scheduleEnv, ...startsJobs.env }, grant: startsJobs.grant },
      'list-schedule-runs': { env: scheduleEnv, grant: reads },
    };

    for (const [name, spec] of httpRoutes()) {
      const fn = handlerFunction(this, name, { environment: access[name].env ?? {} });
      const routes = this.httpApi.addRoutes({
        path: spec.path,
        methods: [apigwv2.HttpMethod[spec.method]],
        integration: new HttpLambdaIntegration(`${name}-integration`, fn),
        ...(spec.auth === false ? { authorizer: new apigwv2.HttpNoneAuthorizer() } : {}),
      });
      // The local cloud reads which handler a route runs from this metadata.
      for (const r of routes) (r.node.defaultChild as CfnResource).addMetadata(HANDLER_METADATA_KEY, name);
      if (spec.auth === false) {
        const reason = PUBLIC_BECAUSE[name];
        if (!reason) throw new Error(`${spec.method} ${spec.path} is public but lib/api.ts gives no reason why.`);
        acknowledge(routes[0]!, 'AwsSolutions-APIG4', reason);
      }
      access[name].grant?.(fn);
      this.functions[name] = fn;
      this.routes[name] = routes[0]!;
    }
    // The local cloud reads which handler the authorizer runs from this metadata.
    (this.httpApi.node.findChild('TokenAuthorizer').node.defaultChild as CfnResource).addMetadata(HANDLER_METADATA_KEY, 'authorize');
    acknowledgeTableIndexes(this, table);
    if (!toolingUploadRole) throw new Error('The route table has no create-upload-credentials route.');
    this.toolingUploadRole = toolingUploadRole;
  }
}
