// Reads the pieces the local cloud needs out of the synthesized CloudFormation template, so that it runs
// what the stack declares (routes, state machine, notifications, stream consumer), never a copy of it.
import type { Resource, Template } from '#lib/cloudformation';
import { HANDLER_METADATA_KEY as HANDLER_METADATA, PRINCIPAL_METADATA_KEY as PRINCIPAL_METADATA } from '#lib/handler-metadata';
import type { AttributeDefinition, GlobalSecondaryIndex, KeySchemaElement } from '@aws-sdk/client-dynamodb';
import { functionArn, LOCAL_ACCOUNT, LOCAL_REGION } from './aws/lambda-runtime';

/** A CloudFormation value: a literal, or an intrinsic function such as `{ Ref }`, `{ 'Fn::GetAtt' }`, `{ 'Fn::Join' }`. */
type Value = unknown;
interface Ref { Ref?: string }

/** The properties the local cloud reads, per resource type (the rest of each resource stays unread). */
interface PropertiesOf {
  'AWS::StepFunctions::StateMachine': { DefinitionString: Value };
  'AWS::ApiGatewayV2::Route': { ApiId?: Ref; RouteKey: string; Target: Value; AuthorizationType?: string; AuthorizerId?: Ref };
  'AWS::ApiGatewayV2::Authorizer': {
    ApiId?: Ref; AuthorizerType: string; AuthorizerUri?: Value; IdentitySource?: string[];
    EnableSimpleResponses?: boolean; AuthorizerPayloadFormatVersion?: string; AuthorizerResultTtlInSeconds?: number;
  };
  'Custom::S3BucketNotifications': {
    BucketName?: Ref;
    NotificationConfiguration?: {
      LambdaFunctionConfigurations?: { Events: string[]; Filter?: { Key?: { FilterRules?: { Name: string; Value: string }[] } }; LambdaFunctionArn: Value }[];
    };
  };
  'AWS::Lambda::EventSourceMapping': { EventSourceArn?: Value; FunctionName: Value; BatchSize?: number };
  'AWS::Events::Rule': { ScheduleExpression?: string; Description?: string; Targets: Value };
  'AWS::Lambda::Function': { Environment?: { Variables?: Record<string, Value> } };
  'AWS::DynamoDB::Table': {
    KeySchema: KeySchemaElement[];
    AttributeDefinitions: AttributeDefinition[];
    GlobalSecondaryIndexes?: GlobalSecondaryIndex[];
    TimeToLiveSpecification?: { AttributeName?: string };
  };
  'AWS::SecretsManager::Secret': { Description?: string; SecretString?: Value; GenerateSecretString?: unknown };
  'AWS::IAM::AccessKey': { UserName: Ref };
  'AWS::Scheduler::ScheduleGroup': { Name?: string };
  'AWS::SQS::Queue': Record<string, unknown>;
}

/** A Lambda REQUEST authorizer of the HTTP API, as the template declares it. */
export interface HttpAuthorizer {
  /** The handler its function runs. */
  handler: string;
  /** Where the token is read, in API Gateway's syntax (`$request.header.Authorization`). */
  identitySource: string[];
  /** Simple responses (`{isAuthorized, context}`) rather than an IAM policy. */
  simpleResponses: boolean;
  payloadFormatVersion: '1.0' | '2.0';
}
export interface Route {
  key: string; method: string; path: string; handler: string;
  /** The route's Lambda authorizer; none on a public route. */
  authorizer?: HttpAuthorizer;
}
export interface WebSocketRoutes { routes: Record<string, string>; authorizer?: string }
/** `bucket`: the logical id of the bucket whose objects it notifies of. */
export interface Notification { bucket: string; prefix: string; suffix: string; handler: string }
/** A secret the stack declares: the JSON fields of its value (when the template spells them), and the environment
 * variables through which functions are handed its ARN. */
export interface SecretSpec {
  logicalId: string;
  description?: string;
  fields: string[];
  arnVariables: string[];
  /** The local principal of the IAM user whose access key the secret holds (its `loraworks:principal` metadata). */
  accessKeyOf?: string;
}
/** An EventBridge Scheduler schedule group the stack declares, and the functions' variables that name it (`Ref`: its name). */
export interface ScheduleGroupSpec { logicalId: string; name: string; variables: string[] }
/** An SQS queue the stack declares, and the functions' variables that name its ARN. */
export interface QueueSpec { logicalId: string; arnVariables: string[] }
export interface TableSpec {
  KeySchema: KeySchemaElement[];
  AttributeDefinitions: AttributeDefinition[];
  GlobalSecondaryIndexes?: GlobalSecondaryIndex[];
  ttlAttribute?: string;
}

const isGetAtt = (value: Value, logicalId: string, attribute: string) => {
  const getAtt = (value as { 'Fn::GetAtt'?: unknown } | undefined)?.['Fn::GetAtt'];
  return Array.isArray(getAtt) && getAtt[0] === logicalId && getAtt[1] === attribute;
};

export class StackTemplate {
  private readonly resources: Record<string, Partial<Resource> | undefined>;

  constructor(template: Template) {
    this.resources = template.Resources ?? {};
  }

  /** Every resource by logical id, for readers of their own (the IAM engine, aws/iam.ts). */
  resourcesById(): Readonly<Record<string, Partial<Resource> | undefined>> {
    return this.resources;
  }

  /** Handler name of a Lambda function resource, from the metadata every project function carries. */
  handlerOf(logicalId: string): string {
    const resource = this.resources[logicalId];
    const handler = resource?.Metadata?.[HANDLER_METADATA];
    if (resource?.Type !== 'AWS::Lambda::Function' || typeof handler !== 'string') {
      throw new Error(`Resource ${logicalId} is not a Loraworks function (no ${HANDLER_METADATA} metadata).`);
    }
    return handler;
  }

  /** The Training state machine's definition, with each function reference turned into a local ARN. */
  stateMachineDefinition(): object {
    const machines = this.ofType('AWS::StepFunctions::StateMachine');
    if (machines.length !== 1) throw new Error(`Expected one state machine in the template, found ${machines.length}.`);
    const [, machine] = machines[0]!;
    const text = this.resolve(machine.Properties.DefinitionString);
    if (typeof text !== 'string') throw new Error('The state machine definition did not resolve to a string.');
    return JSON.parse(text);
  }

  httpRoutes(): Route[] {
    return this.routesOf('HTTP').map(([, route]) => {
      const [method = 'ANY', path = '/'] = String(route.Properties.RouteKey).split(' ');
      const type = route.Properties.AuthorizationType ?? 'NONE';
      if (type !== 'NONE' && type !== 'CUSTOM') throw new Error(`Route ${route.Properties.RouteKey} uses a ${type} authorizer; the local gateway runs only Lambda (CUSTOM) authorizers.`);
      const authorizerId = route.Properties.AuthorizerId?.Ref;
      if (type === 'CUSTOM' && !authorizerId) throw new Error(`Route ${route.Properties.RouteKey} is CUSTOM but names no authorizer.`);
      return {
        key: route.Properties.RouteKey,
        method,
        path,
        handler: this.handlerOf(this.integrationFunction(route.Properties.Target)),
        ...(type === 'CUSTOM' ? { authorizer: this.httpAuthorizer(authorizerId!) } : {}),
      };
    });
  }

  /** A Lambda authorizer of the HTTP API: the handler its metadata names (the function it invokes must run it). */
  private httpAuthorizer(logicalId: string): HttpAuthorizer {
    const resource = this.resources[logicalId] as Resource<PropertiesOf['AWS::ApiGatewayV2::Authorizer']> | undefined;
    if (resource?.Type !== 'AWS::ApiGatewayV2::Authorizer' || resource.Properties.AuthorizerType !== 'REQUEST') {
      throw new Error(`Authorizer ${logicalId} is not a Lambda REQUEST authorizer; the local gateway runs only those.`);
    }
    const handler = resource.Metadata?.[HANDLER_METADATA];
    const invoked = this.handlerOf(this.functionIn(resource.Properties.AuthorizerUri));
    if (typeof handler !== 'string' || handler !== invoked) {
      throw new Error(`Authorizer ${logicalId} must name the handler of the function it invokes (${invoked}) in its ${HANDLER_METADATA} metadata.`);
    }
    const p = resource.Properties;
    return {
      handler,
      identitySource: p.IdentitySource ?? [],
      simpleResponses: p.EnableSimpleResponses === true,
      payloadFormatVersion: p.AuthorizerPayloadFormatVersion === '2.0' ? '2.0' : '1.0',
    };
  }

  webSocketRoutes(): WebSocketRoutes {
    const routes: Record<string, string> = {};
    let authorizer: string | undefined;
    for (const [, route] of this.routesOf('WEBSOCKET')) {
      routes[route.Properties.RouteKey] = this.handlerOf(this.integrationFunction(route.Properties.Target));
      const authorizerId = route.Properties.AuthorizerId?.Ref;
      if (authorizerId) {
        authorizer = this.handlerOf(this.functionIn(this.resources[authorizerId]?.Properties?.AuthorizerUri));
      }
    }
    return { routes, authorizer };
  }

  /** S3 ObjectCreated notifications to Lambda functions, as CDK's BucketNotifications resource declares them. */
  objectCreatedNotifications(): Notification[] {
    return this.ofType('Custom::S3BucketNotifications').flatMap(([, resource]) =>
      (resource.Properties.NotificationConfiguration?.LambdaFunctionConfigurations ?? [])
        .filter((c) => c.Events.some((e: string) => e.startsWith('s3:ObjectCreated')))
        .map((c) => {
          const rules = c.Filter?.Key?.FilterRules ?? [];
          const rule = (name: string) => rules.find((r) => String(r.Name).toLowerCase() === name)?.Value ?? '';
          return {
            bucket: resource.Properties.BucketName?.Ref ?? '', prefix: rule('prefix'), suffix: rule('suffix'),
            handler: this.handlerOf(this.functionIn(c.LambdaFunctionArn)),
          };
        }),
    );
  }

  /** The function that consumes the table's stream, and its batch size. */
  streamConsumer(): { handler: string; batchSize: number } {
    const mapping = this.ofType('AWS::Lambda::EventSourceMapping').find(([, r]) =>
      JSON.stringify(r.Properties.EventSourceArn ?? '').includes('StreamArn'),
    );
    if (!mapping) throw new Error('The template has no DynamoDB stream consumer.');
    const [, resource] = mapping;
    return { handler: this.handlerOf(this.functionIn(resource.Properties.FunctionName)), batchSize: resource.Properties.BatchSize ?? 100 };
  }

  /** The function a schedule rule runs to repair unfinished jobs (the local cloud runs it once, at start). */
  reconciler(): string {
    const rule = this.ofType('AWS::Events::Rule').find(([, r]) => r.Properties.ScheduleExpression && /reconcile/i.test(String(r.Properties.Description ?? '')));
    if (!rule) throw new Error('The template has no reconcile schedule.');
    return this.handlerOf(this.functionIn(rule[1].Properties.Targets));
  }

  /** The environment variables the stack declares for these handlers' functions (their union). */
  environmentOf(handlers: readonly string[]): string[] {
    const names = new Set<string>();
    for (const [id, fn] of this.ofType('AWS::Lambda::Function')) {
      if (typeof fn.Metadata?.[HANDLER_METADATA] !== 'string' || !handlers.includes(this.handlerOf(id))) continue;
      for (const name of Object.keys(fn.Properties.Environment?.Variables ?? {})) names.add(name);
    }
    return [...names].sort();
  }

  /** The functions' environment variables that name a role's Arn or RoleId (`Fn::GetAtt`), with the role's logical id
   * and the attribute: the local cloud sets them to its own ARNs and ids (lambda-runtime.ts localRoleArn, localRoleId). */
  roleVariables(): Record<string, { role: string; roleName: string; attribute: 'Arn' | 'RoleId' }> {
    const found: Record<string, { role: string; roleName: string; attribute: 'Arn' | 'RoleId' }> = {};
    for (const [, fn] of this.ofType('AWS::Lambda::Function')) {
      for (const [name, value] of Object.entries(fn.Properties?.Environment?.Variables ?? {})) {
        const getAtt = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
        const role = getAtt && this.resources[getAtt[0]];
        if (!getAtt || role?.Type !== 'AWS::IAM::Role' || (getAtt[1] !== 'Arn' && getAtt[1] !== 'RoleId')) continue;
        const roleName = typeof role.Properties?.RoleName === 'string' ? role.Properties.RoleName : getAtt[0];
        found[name] = { role: getAtt[0], roleName, attribute: getAtt[1] };
      }
    }
    return found;
  }

  /** The stack's schedule groups (AWS::Scheduler::ScheduleGroup; a group without a Name is named after its logical id). */
  scheduleGroups(): ScheduleGroupSpec[] {
    return this.ofType('AWS::Scheduler::ScheduleGroup').map(([logicalId, group]) => ({
      logicalId,
      name: typeof group.Properties?.Name === 'string' ? group.Properties.Name : logicalId,
      variables: this.variablesWhere((v) => (v as Ref | undefined)?.Ref === logicalId),
    }));
  }

  /** The stack's SQS queues (the schedules' dead-letter queue). */
  queues(): QueueSpec[] {
    return this.ofType('AWS::SQS::Queue').map(([logicalId]) => ({ logicalId, arnVariables: this.variablesWhere((v) => isGetAtt(v, logicalId, 'Arn')) }));
  }

  /** The functions' variables that name a Loraworks function's ARN (`Fn::GetAtt [fn, Arn]`), with its handler. */
  functionArnVariables(): Record<string, string> {
    const found: Record<string, string> = {};
    for (const [, fn] of this.ofType('AWS::Lambda::Function')) {
      for (const [name, value] of Object.entries(fn.Properties?.Environment?.Variables ?? {})) {
        const id = (value as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
        if (id && id[1] === 'Arn' && this.resources[id[0]]?.Type === 'AWS::Lambda::Function') found[name] = this.handlerOf(id[0]);
      }
    }
    return found;
  }

  /** The names of the functions' environment variables whose value satisfies `test` (their union, sorted). */
  private variablesWhere(test: (value: Value) => boolean): string[] {
    const names = new Set<string>();
    for (const [, fn] of this.ofType('AWS::Lambda::Function')) {
      for (const [name, value] of Object.entries(fn.Properties?.Environment?.Variables ?? {})) if (test(value)) names.add(name);
    }
    return [...names].sort();
  }

  /** The one table: its keys and indexes, to create the same table locally. */
  table(): TableSpec {
    const tables = this.ofType('AWS::DynamoDB::Table');
    if (tables.length !== 1) throw new Error(`Expected one table in the template, found ${tables.length}.`);
    const [, table] = tables[0]!;
    const p = table.Properties;
    return {
      KeySchema: p.KeySchema,
      AttributeDefinitions: p.AttributeDefinitions,
      GlobalSecondaryIndexes: p.GlobalSecondaryIndexes?.map((g) => ({
        IndexName: g.IndexName,
        KeySchema: g.KeySchema,
        Projection: g.Projection,
      })),
      ttlAttribute: p.TimeToLiveSpecification?.AttributeName,
    };
  }

  /** The stack's Secrets Manager secrets. */
  secrets(): SecretSpec[] {
    const functions = this.ofType('AWS::Lambda::Function');
    return this.ofType('AWS::SecretsManager::Secret').map(([logicalId, secret]) => {
      const arnVariables = new Set<string>();
      for (const [, fn] of functions) {
        for (const [name, value] of Object.entries(fn.Properties?.Environment?.Variables ?? {})) {
          if ((value as Ref | undefined)?.Ref === logicalId) arnVariables.add(name);
        }
      }
      const accessKey = this.references(secret.Properties.SecretString).find((id) => this.resources[id]?.Type === 'AWS::IAM::AccessKey');
      const userId = accessKey ? (this.resources[accessKey]?.Properties as PropertiesOf['AWS::IAM::AccessKey'] | undefined)?.UserName?.Ref : undefined;
      const principal = userId ? this.resources[userId]?.Metadata?.[PRINCIPAL_METADATA] : undefined;
      if (accessKey && typeof principal !== 'string') {
        throw new Error(`Secret ${logicalId} holds the access key of ${userId ?? accessKey}, which names no local principal (${PRINCIPAL_METADATA} metadata).`);
      }
      return {
        logicalId,
        ...(secret.Properties.Description ? { description: secret.Properties.Description } : {}),
        ...(typeof principal === 'string' ? { accessKeyOf: principal } : {}),
        fields: this.secretFields(secret.Properties.SecretString),
        arnVariables: [...arnVariables].sort(),
      };
    });
  }

  /** The field names of a JSON SecretString, literal (`"{\"A\":\"\"}"`) or joined from parts (`{"a":"`, Ref, `"}`). */
  private secretFields(value: Value): string[] {
    const parts = typeof value === 'string' ? [value] : (value as { 'Fn::Join'?: [string, Value[]] } | undefined)?.['Fn::Join']?.[1] ?? [];
    const text = parts.map((p) => (typeof p === 'string' ? p : 'x')).join(''); // a part is a value inside a JSON string
    try {
      const parsed: unknown = JSON.parse(text);
      return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? Object.keys(parsed) : [];
    } catch {
      return [];
    }
  }

  /** The resources of one type, with the properties the local cloud reads of that type (CDK wrote them). */
  private ofType<T extends keyof PropertiesOf>(type: T): [string, Resource<PropertiesOf[T]>][] {
    return Object.entries(this.resources).filter((entry): entry is [string, Resource<PropertiesOf[T]>] => entry[1]?.Type === type);
  }

  private routesOf(protocol: 'HTTP' | 'WEBSOCKET') {
    return this.ofType('AWS::ApiGatewayV2::Route').filter(([, r]) => {
      const apiId = r.Properties.ApiId?.Ref;
      return apiId !== undefined && this.resources[apiId]?.Properties?.ProtocolType === protocol;
    });
  }

  private integrationFunction(target: Value): string {
    const integrationId = JSON.stringify(target).match(/"Ref":"([^"]+)"/)?.[1];
    const integration = integrationId ? this.resources[integrationId] : undefined;
    if (!integration) throw new Error(`Route target ${JSON.stringify(target)} names no integration.`);
    return this.functionIn(integration.Properties?.IntegrationUri);
  }

  /** The first Lambda function a CloudFormation value refers to (by Ref or Fn::GetAtt). */
  private functionIn(value: Value): string {
    const found = this.references(value).find((id) => this.resources[id]?.Type === 'AWS::Lambda::Function');
    if (!found) throw new Error(`No Lambda function is referenced by ${JSON.stringify(value)}.`);
    return found;
  }

  private references(value: Value): string[] {
    if (Array.isArray(value)) return value.flatMap((v) => this.references(v));
    if (!value || typeof value !== 'object') return [];
    const fields = value as Record<string, unknown>;
    if (typeof fields.Ref === 'string') return [fields.Ref];
    if (Array.isArray(fields['Fn::GetAtt'])) return [fields['Fn::GetAtt'][0]];
    return Object.values(fields).flatMap((v) => this.references(v));
  }

  /** Resolves the intrinsic functions CDK puts in a state machine definition to local values. */
  private resolve(value: Value): Value {
    if (typeof value === 'string' || typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map((v) => this.resolve(v));
    if ('Fn::Join' in value) {
      const [delimiter, parts] = value['Fn::Join'] as [string, Value[]];
      return parts.map((p) => this.resolve(p)).join(delimiter);
    }
    if ('Ref' in value) return this.localRef(value.Ref as string);
    if ('Fn::GetAtt' in value) {
      const [id, attribute] = value['Fn::GetAtt'] as [string, string];
      if (this.resources[id]?.Type === 'AWS::Lambda::Function') return functionArn(this.handlerOf(id));
      return `arn:aws:local:${LOCAL_REGION}:${LOCAL_ACCOUNT}:${id}/${attribute}`;
    }
    throw new Error(`Cannot resolve ${JSON.stringify(value)} in the state machine definition.`);
  }

  private localRef(id: string): string {
    switch (id) {
      case 'AWS::Partition': return 'aws';
      case 'AWS::Region': return LOCAL_REGION;
      case 'AWS::AccountId': return LOCAL_ACCOUNT;
      case 'AWS::URLSuffix': return 'amazonaws.com';
      default:
        return this.resources[id]?.Type === 'AWS::Lambda::Function' ? functionArn(this.handlerOf(id)) : id;
    }
  }
}
