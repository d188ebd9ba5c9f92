// Reading the synthesized template the way the local cloud does: resources by type, handler metadata, and the
// state machine definition with its Fn::Join tokens resolved to readable placeholders.
import type { Resource } from '#lib/cloudformation';
import { HANDLER_METADATA_KEY } from '#lib/synth';

export type Template = { Resources: Record<string, Resource> };

type Ref = { Ref: string };
type GetAtt = { 'Fn::GetAtt': [string, string] };
type Join = { 'Fn::Join': [string, unknown[]] };
/** At least one (so that `[0]` is there). */
type Some<T> = [T, ...T[]];
export interface Statement { Effect: string; Action: string | string[]; Resource: unknown }

/** The properties the tests read, per resource type, as CDK writes them. */
interface PropertiesOf {
  'AWS::Lambda::Function': {
    Runtime: string; Architectures: string[]; Handler: string; Role: GetAtt; MemorySize?: number;
    Environment: { Variables: Record<string, unknown> }; LoggingConfig?: { LogGroup?: unknown }; Code: { S3Key: string };
  };
  'AWS::S3::Bucket': {
    PublicAccessBlockConfiguration?: unknown;
    BucketEncryption: { ServerSideEncryptionConfiguration: Some<{ ServerSideEncryptionByDefault: { SSEAlgorithm: string } }> };
    LoggingConfiguration?: { DestinationBucketName: Ref };
  };
  'AWS::S3::BucketPolicy': { Bucket: Ref; PolicyDocument: { Statement: Statement[] } };
  'AWS::IAM::Policy': { Roles: Ref[]; Users?: Ref[]; PolicyDocument: { Statement: Statement[] } };
  'AWS::IAM::User': Record<string, unknown>;
  'AWS::IAM::Role': { AssumeRolePolicyDocument: { Statement: (Statement & { Principal: unknown; Condition?: unknown })[] }; MaxSessionDuration?: number };
  'AWS::IAM::AccessKey': { UserName: Ref };
  'AWS::Events::Rule': { Targets: unknown; ScheduleExpression?: string };
  'AWS::ApiGatewayV2::Route': { RouteKey: string; Target: { 'Fn::Join': [string, [string, Ref]] }; AuthorizationType?: string; AuthorizerId?: Ref };
  'AWS::ApiGatewayV2::Integration': { PayloadFormatVersion?: string; IntegrationUri: Partial<GetAtt> };
  'AWS::ApiGatewayV2::Authorizer': {
    ApiId?: Ref; AuthorizerType: string; IdentitySource: string[]; AuthorizerUri?: unknown; JwtConfiguration?: unknown;
    EnableSimpleResponses?: boolean; AuthorizerPayloadFormatVersion?: string; AuthorizerResultTtlInSeconds?: number;
  };
  'AWS::StepFunctions::StateMachine': { DefinitionString: string | Join };
  'AWS::SecretsManager::Secret': Record<string, unknown>;
  'AWS::Scheduler::ScheduleGroup': { Name: string };
  'AWS::Lambda::EventInvokeConfig': Record<string, unknown>;
  'AWS::SQS::Queue': { SqsManagedSseEnabled?: boolean; MessageRetentionPeriod?: number };
  'AWS::SQS::QueuePolicy': { Queues: Ref[]; PolicyDocument: { Statement: (Statement & { Condition?: unknown })[] } };
  'Custom::CDKBucketDeployment': { SourceObjectKeys: Some<string>; DistributionPaths?: string[]; SourceMarkers?: unknown };
}
export type ResourceType = keyof PropertiesOf;
export type ResourceOf<T extends ResourceType> = Resource<PropertiesOf[T]>;

/** A state of the state machine's definition (Amazon States Language). */
export interface AslState { Type: string; Resource?: string; Parameters?: unknown; Next?: string; Retry?: unknown[]; Catch?: unknown[]; [field: string]: unknown }
export interface Asl { StartAt: string; QueryLanguage?: string; TimeoutSeconds?: number; States: Record<string, AslState> }

export const HTTP_ROUTES: Record<string, string> = {
  'GET /health': 'health',
  'GET /openapi.json': 'get-openapi',
  'GET /trainers': 'list-trainers',
  'POST /datasets': 'create-dataset',
  'GET /datasets': 'list-datasets',
  'GET /datasets/{datasetId}': 'get-dataset',
  'POST /datasets/{datasetId}/uploads': 'create-upload',
  'GET /datasets/{datasetId}/versions/{version}/files': 'list-dataset-files',
  'GET /datasets/{datasetId}/versions/{version}/diff': 'diff-dataset-versions',
  'POST /upload-credentials': 'create-upload-credentials',
  'POST /datasets/{datasetId}/versions': 'create-dataset-version',
  'POST /jobs': 'create-job',
  'POST /jobs/estimate': 'estimate-job',
  'GET /jobs': 'list-jobs',
  'GET /jobs/{jobId}': 'get-job',
  'POST /jobs/{jobId}/cancel': 'cancel-job',
  'GET /jobs/{jobId}/logs': 'get-job-logs',
  'GET /jobs/{jobId}/artifact': 'get-artifact',
  'GET /jobs/{jobId}/artifacts/{name}': 'get-job-artifact',
  'POST /adapters': 'create-adapter',
  'GET /adapters': 'list-adapters',
  'DELETE /adapters/{adapterId}': 'delete-adapter',
  'POST /adapters/imports': 'create-adapter-import',
  'GET /adapters/{adapterId}/artifacts/{name}': 'get-adapter-artifact',
  'POST /tokens': 'create-token',
  'GET /tokens': 'list-tokens',
  'DELETE /tokens/{tokenId}': 'delete-token',
  'POST /schedules': 'create-schedule',
  'GET /schedules': 'list-schedules',
  'GET /schedules/{scheduleId}': 'get-schedule',
  'PATCH /schedules/{scheduleId}': 'update-schedule',
  'DELETE /schedules/{scheduleId}': 'delete-schedule',
  'POST /schedules/{scheduleId}/run': 'run-schedule',
  'GET /schedules/{scheduleId}/runs': 'list-schedule-runs',
};

export const ALL_HANDLERS = [
  ...Object.values(HTTP_ROUTES),
  'authorize', 'ws-authorize', 'ws-connect', 'ws-disconnect', 'ws-message', 'validate-dataset', 'derive-dataset-version', 'notify', 'check-adapter-import',
  'training-submit', 'training-poll', 'training-collect', 'training-cancel-remote', 'training-mark-failed', 'reconcile', 'retrain',
];

/** The resources of one type, with the properties the tests read of that type. */
export const ofType = <T extends ResourceType>(t: Template, type: T) =>
  Object.entries(t.Resources).filter((entry): entry is [string, ResourceOf<T>] => entry[1].Type === type);

/** The resource of a logical id, read as the given type. */
export const resourceOf = <T extends ResourceType>(t: Template, _type: T, logicalId: string) =>
  t.Resources[logicalId] as ResourceOf<T> | undefined;

/** Handler name of a Lambda function resource, or undefined for CDK's own provider functions. */
export const handlerOf = (t: Template, logicalId: string): string | undefined =>
  t.Resources[logicalId]?.Metadata?.[HANDLER_METADATA_KEY] as string | undefined;

/** Logical id of the function behind `{Fn::GetAtt: [id, 'Arn']}` inside any value. */
export function functionIdIn(value: unknown): string | undefined {
  const text = JSON.stringify(value);
  return /"Fn::GetAtt":\["([A-Za-z0-9]+)","Arn"\]/.exec(text)?.[1];
}

/** The handler whose function is the given logical id's unique function. */
export const functionByHandler = (t: Template, handler: string) => {
  const found = ofType(t, 'AWS::Lambda::Function').filter(([id]) => handlerOf(t, id) === handler);
  if (found.length !== 1) throw new Error(`expected one function for ${handler}, found ${found.length}`);
  return found[0]!;
};

/** The state machine's definition as ASL, each `Fn::GetAtt [id, Arn]` replaced by `arn:handler:<name>`. */
export function stateMachineDefinition(t: Template): Asl {
  const machines = ofType(t, 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const def = machines[0]![1].Properties.DefinitionString;
  const parts: unknown[] = typeof def === 'string' ? [def] : def['Fn::Join'][1];
  const text = parts.map((p) => {
    if (typeof p === 'string') return p;
    const id = functionIdIn(p);
    if (!id) throw new Error(`unexpected token in definition: ${JSON.stringify(p)}`);
    return `arn:handler:${handlerOf(t, id)}`;
  }).join('');
  return JSON.parse(text);
}

/** All statements of the IAM policies attached to a function's role. */
export function statementsOf(t: Template, functionId: string): Statement[] {
  const roleRef = resourceOf(t, 'AWS::Lambda::Function', functionId)!.Properties.Role['Fn::GetAtt'][0];
  return ofType(t, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles ?? []).some((r) => r.Ref === roleRef))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
}

export const actionsOf = (t: Template, functionId: string): string[] =>
  statementsOf(t, functionId).flatMap((s) => [s.Action].flat());
