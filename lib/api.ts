import { CfnResource, Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { HANDLER_METADATA_KEY, handlerFunction, type HandlerName } from './handler-function';
import { grantObjects } from './grants';
import { acknowledge, acknowledgeTableIndexes } from './nag';

export interface ApiProps {
  /** The single table. */
  readonly table: dynamodb.ITable;
  /** Dataset uploads land here (presigned POST). */
  readonly datasets: s3.IBucket;
  /** Trained LoRA files are downloaded from here (presigned GET). */
  readonly artifacts: s3.IBucket;
  /** Trainer keys, for reading the provider's catalog. */
  readonly trainerSecret: secretsmanager.ISecret;
  /** The Training workflow, started by POST /jobs. */
  readonly stateMachine: sfn.IStateMachine;
  /** Issuer of the JWTs every route but GET /health requires. */
  readonly jwtIssuer: string;
  /** Accepted `aud` of the JWTs (the Cognito app client id). */
  readonly jwtAudience: string;
  /** Browser origins allowed by CORS. @default - CORS disabled */
  readonly corsOrigins?: string[];
  /** Largest dataset upload a presigned POST allows, in bytes. @default 2 GiB */
  readonly maxUploadBytes?: number;
  /** How long the access logs are kept. @default RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
}

type Method = apigwv2.HttpMethod;
/** Routes anyone may call: liveness and the API's own description. */
const PUBLIC_ROUTES = new Set<HandlerName>(['health', 'get-openapi']);
const { GET, POST, DELETE } = apigwv2.HttpMethod;

/** The HTTP API of shared/API.md: one Lambda per route (docs/internals.md), a JWT authorizer on all but /health. */
export class Api extends Construct {
  readonly httpApi: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  /** Base URL of the API, without a trailing slash. */
  readonly url: string;
  /** Function of each handler name. */
  readonly functions: Partial<Record<HandlerName, lambda.IFunction>> = {};
  /** Route of each handler name. */
  readonly routes: Partial<Record<HandlerName, apigwv2.HttpRoute>> = {};

  constructor(scope: Construct, id: string, props: ApiProps) {
    super(scope, id);
    const { table, datasets, artifacts, trainerSecret, stateMachine } = props;

    this.httpApi = new apigwv2.HttpApi(this, 'HttpApi', {
      description: 'Loraworks HTTP API',
      createDefaultStage: false,
      defaultAuthorizer: new HttpJwtAuthorizer('CognitoJwt', props.jwtIssuer, {
        authorizerName: 'cognito-jwt',
        jwtAudience: [props.jwtAudience],
      }),
      corsPreflight: props.corsOrigins?.length ? {
        allowOrigins: props.corsOrigins,
        allowMethods: [apigwv2.CorsHttpMethod.GET, apigwv2.CorsHttpMethod.POST, apigwv2.CorsHttpMethod.PATCH,
          apigwv2.CorsHttpMethod.DELETE, apigwv2.CorsHttpMethod.OPTIONS],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        maxAge: Duration.hours(1),
      } : undefined,
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: apigw.AccessLogFormat.custom(JSON.stringify({
          requestId: '$context.requestId', ip: '$context.identity.sourceIp', requestTime: '$context.requestTime',
          routeKey: '$context.routeKey', status: '$context.status', responseLength: '$context.responseLength',
          latency: '$context.responseLatency', integrationError: '$context.integrationErrorMessage',
          authorizerError: '$context.authorizer.error',
        })),
      },
    });
    this.url = this.httpApi.apiEndpoint;

    const tableEnv = { TABLE_NAME: table.tableName };
    const route = (name: HandlerName, method: Method, path: string, env: Record<string, string> = {},
      opts: { memorySize?: number; timeout?: Duration } = {}): lambda.IFunction => {
      const fn = handlerFunction(this, name, { environment: env, ...opts });
      const routes = this.httpApi.addRoutes({
        path,
        methods: [method],
        integration: new HttpLambdaIntegration(`${name}-integration`, fn),
        ...(PUBLIC_ROUTES.has(name) ? { authorizer: new apigwv2.HttpNoneAuthorizer() } : {}),
      });
      for (const r of routes) (r.node.defaultChild as CfnResource).addMetadata(HANDLER_METADATA_KEY, name);
      this.functions[name] = fn;
      this.routes[name] = routes[0]!;
      return fn;
    };

    route('health', GET, '/health');
    acknowledge(this.routes.health!, 'AwsSolutions-APIG4',
      'GET /health is the documented unauthenticated liveness probe (shared/API.md); it reads no data.');
    route('get-openapi', GET, '/openapi.json');
    acknowledge(this.routes['get-openapi']!, 'AwsSolutions-APIG4',
      'GET /openapi.json publishes the API contract (shared/API.md), which is public; it reads no data.');

    const listTrainers = route('list-trainers', GET, '/trainers', { TRAINER_SECRET_ARN: trainerSecret.secretArn });
    trainerSecret.grantRead(listTrainers);

    table.grantReadWriteData(route('create-dataset', POST, '/datasets', tableEnv));
    table.grantReadData(route('list-datasets', GET, '/datasets', tableEnv));
    table.grantReadData(route('get-dataset', GET, '/datasets/{datasetId}', tableEnv));

    const createUpload = route('create-upload', POST, '/datasets/{datasetId}/uploads', {
      ...tableEnv,
      DATASETS_BUCKET: datasets.bucketName,
      MAX_UPLOAD_BYTES: String(props.maxUploadBytes ?? 2 * 1024 ** 3),
    });
    table.grantReadWriteData(createUpload);
    // A presigned POST carries the signer's permission to put the object, nothing more.
    grantObjects(createUpload, datasets, 'datasets/', ['s3:PutObject']);

    const createJob = route('create-job', POST, '/jobs', {
      ...tableEnv,
      STATE_MACHINE_ARN: stateMachine.stateMachineArn,
      TRAINER_SECRET_ARN: trainerSecret.secretArn,
    });
    table.grantReadWriteData(createJob);
    stateMachine.grantStartExecution(createJob);
    trainerSecret.grantRead(createJob);

    table.grantReadData(route('list-jobs', GET, '/jobs', tableEnv));
    table.grantReadData(route('get-job', GET, '/jobs/{jobId}', tableEnv));
    table.grantReadWriteData(route('cancel-job', POST, '/jobs/{jobId}/cancel', tableEnv));

    const getArtifact = route('get-artifact', GET, '/jobs/{jobId}/artifact', {
      ...tableEnv,
      ARTIFACTS_BUCKET: artifacts.bucketName,
    });
    table.grantReadData(getArtifact);
    // A presigned GET carries the signer's permission to read the object.
    grantObjects(getArtifact, artifacts, 'loras/', ['s3:GetObject']);

    table.grantReadWriteData(route('create-adapter', POST, '/adapters', tableEnv));
    table.grantReadData(route('list-adapters', GET, '/adapters', tableEnv));
    table.grantReadWriteData(route('delete-adapter', DELETE, '/adapters/{adapterId}', tableEnv));
    acknowledgeTableIndexes(this, table);
  }
}
