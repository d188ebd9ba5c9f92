import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template as Assert } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { LoraworksStack } from '#lib/loraworks-stack';
import { buildApp, HANDLER_METADATA_KEY, synthesizeTemplate } from '#lib/synth';
import {
  ALL_HANDLERS, HTTP_ROUTES, actionsOf, statementsOf, functionByHandler, functionIdIn, handlerOf, ofType, resourceOf, stateMachineDefinition,
  type Asl, type ResourceType, type Template,
} from './template-helpers';

let template: Template;
let assert: Assert;

beforeAll(() => {
  template = synthesizeTemplate({ bundling: false }) as Template;
  assert = Assert.fromJSON(template);
});

const envOf = (handler: string) => functionByHandler(template, handler)[1].Properties.Environment.Variables;

describe('synthesizeTemplate', () => {
  it('exports the handler metadata key the local cloud reads', () => {
    expect(HANDLER_METADATA_KEY).toBe('loraworks:handler');
  });
});

describe('storage', () => {
  it('keeps every bucket private, encrypted and TLS-only', () => {
    const buckets = ofType(template, 'AWS::S3::Bucket');
    expect(buckets).toHaveLength(4);
    for (const [id, bucket] of buckets) {
      expect(bucket.Properties.PublicAccessBlockConfiguration, id).toEqual({
        BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
      });
      expect(bucket.Properties.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm, id)
        .toBe('AES256');
      const policy = ofType(template, 'AWS::S3::BucketPolicy').find(([, p]) => p.Properties.Bucket.Ref === id);
      expect(policy, `${id} has a bucket policy`).toBeDefined();
      expect(policy![1].Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([expect.objectContaining({
        Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      })]));
    }
  });

  it('sends the server access logs of the data and web buckets to the log bucket', () => {
    const logged = ofType(template, 'AWS::S3::Bucket').filter(([, b]) => b.Properties.LoggingConfiguration);
    expect(logged.map(([id]) => id).sort()).toEqual([
      expect.stringMatching(/^StorageArtifacts/), expect.stringMatching(/^StorageDatasets/), expect.stringMatching(/^StorageWeb/),
    ]);
    for (const [, b] of logged) expect(b.Properties.LoggingConfiguration!.DestinationBucketName.Ref).toMatch(/^StorageAccessLogs/);
  });

  it('has the single table of docs/internals.md', () => {
    assert.resourceCountIs('AWS::DynamoDB::Table', 1);
    assert.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [{ AttributeName: 'PK', KeyType: 'HASH' }, { AttributeName: 'SK', KeyType: 'RANGE' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      GlobalSecondaryIndexes: [{
        IndexName: 'GSI1',
        KeySchema: [{ AttributeName: 'GSI1PK', KeyType: 'HASH' }, { AttributeName: 'GSI1SK', KeyType: 'RANGE' }],
        Projection: { ProjectionType: 'ALL' },
      }],
    });
  });

  it('keeps trainer keys in a Secrets Manager secret that only trainer-facing functions may read', () => {
    const secretId = ofType(template, 'AWS::SecretsManager::Secret').find(([id]) => id.startsWith('StorageTrainerSecret'))![0];
    const readers = ofType(template, 'AWS::Lambda::Function')
      .filter(([, f]) => f.Properties.Environment?.Variables?.TRAINER_SECRET_ARN)
      .map(([id]) => handlerOf(template, id)).sort();
    // create- and update-schedule check a schedule's trainer and parameters against the catalog, as POST /jobs does.
    expect(readers).toEqual(['create-job', 'create-schedule', 'estimate-job', 'list-trainers', 'reconcile', 'retrain', 'run-schedule',
      'training-cancel-remote', 'training-collect', 'training-mark-failed', 'training-poll', 'training-submit', 'update-schedule', 'validate-dataset']);
    for (const handler of readers) {
      const [id, fn] = functionByHandler(template, handler!);
      expect(fn.Properties.Environment.Variables.TRAINER_SECRET_ARN).toEqual({ Ref: secretId });
      expect(actionsOf(template, id)).toContain('secretsmanager:GetSecretValue');
    }
  });
});

describe('functions', () => {
  it('runs every handler of docs/internals.md exactly once, on Node 22 / ARM64, tagged with its handler name', () => {
    const functions = ofType(template, 'AWS::Lambda::Function').filter(([id]) => handlerOf(template, id));
    expect(functions.map(([id]) => handlerOf(template, id)).sort()).toEqual([...ALL_HANDLERS].sort());
    for (const [id, fn] of functions) {
      expect(fn.Properties.Runtime, id).toBe('nodejs22.x');
      expect(fn.Properties.Architectures, id).toEqual(['arm64']);
      expect(fn.Properties.Handler, id).toBe('index.handler');
      expect(fn.Properties.LoggingConfig?.LogGroup, `${id} logs to its own group`).toBeDefined();
    }
  });

  it('gives each function the configuration it reads', () => {
    expect(envOf('create-job')).toMatchObject({ TABLE_NAME: expect.anything(), STATE_MACHINE_ARN: expect.anything() });
    expect(envOf('create-upload')).toMatchObject({ DATASETS_BUCKET: expect.anything(), MAX_UPLOAD_BYTES: String(2 * 1024 ** 3) });
    expect(envOf('get-artifact')).toMatchObject({ ARTIFACTS_BUCKET: expect.anything() });
    for (const handler of ['notify', 'ws-message']) {
      expect(JSON.stringify(envOf(handler).WS_MANAGEMENT_URL), handler).toMatch(/execute-api.*\/prod/);
    }
    expect(envOf('training-poll')).toMatchObject({ MAX_POLLS: '2000', POLL_MIN_SECONDS: '5', POLL_MAX_SECONDS: '120', MAX_DURATION_SECONDS: String(12 * 3600) });
    expect(envOf('reconcile')).toMatchObject({ TABLE_NAME: expect.anything(), STATE_MACHINE_ARN: expect.anything(), MAX_DURATION_SECONDS: String(12 * 3600) });
  });

  it('lets only create-job, validate-dataset, the reconciler and the two schedule paths (retrain, run-schedule) start the training workflow', () => {
    const starters = ofType(template, 'AWS::Lambda::Function')
      .filter(([id]) => actionsOf(template, id).includes('states:StartExecution'))
      .map(([id]) => handlerOf(template, id)).sort();
    expect(starters).toEqual(['create-job', 'reconcile', 'retrain', 'run-schedule', 'validate-dataset']);
    const reconciler = functionByHandler(template, 'reconcile')[0];
    expect(actionsOf(template, reconciler)).toEqual(expect.arrayContaining(['states:DescribeExecution', 'states:StopExecution', 'dynamodb:Scan', 'dynamodb:UpdateItem']));
  });

  it('runs the reconciler every five minutes', () => {
    const reconciler = functionByHandler(template, 'reconcile')[0];
    const rules = ofType(template, 'AWS::Events::Rule').filter(([, r]) => functionIdIn(r.Properties.Targets) === reconciler);
    expect(rules.map(([, r]) => r.Properties.ScheduleExpression)).toEqual(['rate(5 minutes)']);
  });

  it('gives read-only routes no write access to the table', () => {
    for (const handler of ['list-datasets', 'get-dataset', 'list-jobs', 'get-job', 'get-job-logs', 'get-artifact']) {
      const actions = actionsOf(template, functionByHandler(template, handler)[0]);
      expect(actions, handler).toContain('dynamodb:Query');
      expect(actions, handler).not.toContain('dynamodb:PutItem');
    }
    expect(actionsOf(template, functionByHandler(template, 'health')[0])).not.toContain('dynamodb:Query');
  });

  it('signs uploads with s3:PutObject on datasets/ only', () => {
    const [id] = functionByHandler(template, 'create-upload');
    const s3 = statementsOf(template, id).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
    expect(s3).toEqual([expect.objectContaining({
      Action: 's3:PutObject',
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^StorageDatasets/), 'Arn'] }, '/datasets/*']] },
    })]);
  });

  it('presigns the trainer\'s dataset links with a dedicated user allowed only s3:GetObject on the validated objects, its key in a secret only Submit reads', () => {
    const users = ofType(template, 'AWS::IAM::User');
    expect(users).toHaveLength(1);
    const [userId, user] = users[0]!;
    expect(user.Metadata?.['loraworks:principal']).toBe('dataset-link-signer');
    const userPolicies = ofType(template, 'AWS::IAM::Policy').filter(([, p]) => (p.Properties.Users ?? []).some((u) => u.Ref === userId));
    expect(userPolicies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement)).toEqual([{
      Effect: 'Allow', Action: 's3:GetObject',
      Resource: ['/validated/*', '/datasets/*'].map((suffix) => ({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^StorageDatasets/), 'Arn'] }, suffix]] })),
    }]);
    const [keyId] = ofType(template, 'AWS::IAM::AccessKey').find(([, k]) => k.Properties.UserName.Ref === userId)!;
    const [secretId, secret] = ofType(template, 'AWS::SecretsManager::Secret').find(([id]) => id.startsWith('TrainingDatasetLinkSigner'))!;
    expect(secret.Properties.SecretString).toEqual({ 'Fn::Join': ['', ['{"accessKeyId":"', { Ref: keyId }, '","secretAccessKey":"', { 'Fn::GetAtt': [keyId, 'SecretAccessKey'] }, '"}']] });
    const readers = ofType(template, 'AWS::Lambda::Function').filter(([, f]) => f.Properties.Environment?.Variables?.DATASET_LINK_SIGNER_SECRET_ARN);
    expect(readers.map(([id]) => handlerOf(template, id))).toEqual(['training-submit']);
    expect(readers[0]![1].Properties.Environment.Variables.DATASET_LINK_SIGNER_SECRET_ARN).toEqual({ Ref: secretId });
    const readsSecret = ofType(template, 'AWS::IAM::Policy').filter(([, p]) => p.Properties.PolicyDocument.Statement
      .some((st) => JSON.stringify(st.Resource).includes(`"${secretId}"`)));
    expect(readsSecret.map(([, p]) => p.Properties.Roles?.map((r) => r.Ref))).toEqual([[readers[0]![1].Properties.Role['Fn::GetAtt'][0]]]);
  });

  it('lets only the validator write validated/ (no upload grant names it), and Submit read the validated copies (object grants)', () => {
    const s3Statements = (handler: string) => statementsOf(template, functionByHandler(template, handler)[0])
      .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')) && (s.Resource as { 'Fn::Join'?: unknown })['Fn::Join'])
      .map((s) => ({ actions: [s.Action].flat(), prefix: String((s.Resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1][1]) }));
    expect(s3Statements('validate-dataset')).toEqual(expect.arrayContaining([
      { actions: ['s3:GetObject'], prefix: '/incoming/*' },
      { actions: ['s3:GetObject'], prefix: '/datasets/*' },
      { actions: ['s3:PutObject'], prefix: '/validated/*' },
      { actions: ['s3:PutObject'], prefix: '/manifests/*' },
    ]));
    expect(s3Statements('validate-dataset')).toHaveLength(4);
    expect(s3Statements('training-submit')).toEqual([
      { actions: ['s3:GetObject'], prefix: '/validated/*' },
      { actions: ['s3:GetObject'], prefix: '/datasets/*' },
    ]);
    const writers = ALL_HANDLERS.filter((handler) => s3Statements(handler).some((s) => s.prefix === '/validated/*' && s.actions.includes('s3:PutObject')));
    expect(writers).toEqual(['validate-dataset']);
    // Manifests too: the validator writes them; list-dataset-files reads them and presigns the validated bytes.
    expect(ALL_HANDLERS.filter((handler) => s3Statements(handler).some((s) => s.prefix === '/manifests/*' && s.actions.includes('s3:PutObject')))).toEqual(['validate-dataset']);
    expect(s3Statements('list-dataset-files')).toEqual(['/manifests/*', '/validated/*', '/datasets/*', '/incoming/*'].map((prefix) => ({ actions: ['s3:GetObject'], prefix })));
    expect(actionsOf(template, functionByHandler(template, 'list-dataset-files')[0])).not.toContain('dynamodb:PutItem');
    expect(s3Statements('diff-dataset-versions')).toEqual([{ actions: ['s3:GetObject'], prefix: '/manifests/*' }]);
  });

  it('lets Collect write, read and remove LoRAs under loras/ in the artifacts bucket, and nothing else in S3', () => {
    const [id] = functionByHandler(template, 'training-collect');
    const s3 = statementsOf(template, id).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')));
    expect(s3).toEqual([expect.objectContaining({
      Action: ['s3:PutObject', 's3:GetObject', 's3:AbortMultipartUpload', 's3:DeleteObject'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^StorageArtifacts/), 'Arn'] }, '/loras/*']] },
    })]);
  });
});

describe('tooling uploads', () => {
  const uploadRole = () => {
    const roles = ofType(template, 'AWS::IAM::Role').filter(([id]) => id.startsWith('ApiToolingUpload'));
    expect(roles).toHaveLength(1);
    return roles[0]!;
  };
  const roleOfHandler = (handler: string) => functionByHandler(template, handler)[1].Properties.Role['Fn::GetAtt'][0];

  it('has a tooling-upload role trusted only by the upload-credentials function\'s role, with sessions of at most an hour', () => {
    const [, role] = uploadRole();
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: { 'Fn::GetAtt': [roleOfHandler('create-upload-credentials'), 'Arn'] } },
    }]);
    expect(role.Properties.MaxSessionDuration).toBe(3600);
  });

  it('lets the role put objects (and run multipart uploads) under incoming/ and do nothing else', () => {
    const [roleId] = uploadRole();
    const statements = ofType(template, 'AWS::IAM::Policy')
      .filter(([, p]) => (p.Properties.Roles ?? []).some((r) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
    expect(statements).toEqual([{
      Effect: 'Allow', Action: ['s3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [expect.stringMatching(/^StorageDatasets/), 'Arn'] }, '/incoming/*']] },
    }]);
  });

  it('lets exactly one function assume roles: upload-credentials, on the tooling-upload role only, which it is told', () => {
    const [roleId] = uploadRole();
    const assumers = ALL_HANDLERS.filter((handler) => actionsOf(template, functionByHandler(template, handler)[0]).some((a) => a.startsWith('sts:')));
    expect(assumers).toEqual(['create-upload-credentials']);
    const [fnId] = functionByHandler(template, 'create-upload-credentials');
    expect(statementsOf(template, fnId).filter((s) => [s.Action].flat().some((a) => a.startsWith('sts:'))))
      .toEqual([{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: { 'Fn::GetAtt': [roleId, 'Arn'] } }]);
    expect(statementsOf(template, fnId).filter((s) => [s.Action].flat().some((a) => a.startsWith('s3:')))).toEqual([]);
    expect(envOf('create-upload-credentials')).toMatchObject({ UPLOAD_ROLE_ARN: { 'Fn::GetAtt': [roleId, 'Arn'] }, DATASETS_BUCKET: expect.anything() });
  });

  it('tells the validator the role\'s id, the only writer whose incoming/ objects it files under an owner', () => {
    const [roleId] = uploadRole();
    expect(envOf('validate-dataset')).toMatchObject({ UPLOAD_ROLE_ID: { 'Fn::GetAtt': [roleId, 'RoleId'] } });
  });
});

describe('schedules (EventBridge Scheduler)', () => {
  const only = <T extends ResourceType>(type: T, idPrefix = '') => {
    const found = ofType(template, type).filter(([id]) => id.startsWith(idPrefix));
    expect(found, type).toHaveLength(1);
    return found[0]!;
  };
  const policyStatementsOfRole = (roleId: string) => ofType(template, 'AWS::IAM::Policy')
    .filter(([, p]) => (p.Properties.Roles ?? []).some((r) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
  const SCHEDULE_HANDLERS = ['create-schedule', 'list-schedules', 'get-schedule', 'update-schedule', 'delete-schedule', 'run-schedule', 'list-schedule-runs'];
  const GROUP_SCHEDULES = { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':schedule/loraworks/*']] };

  it('has one schedule group, loraworks, which the schedule functions are told, with the retrain target, the role and the dead-letter queue', () => {
    const [groupId, group] = only('AWS::Scheduler::ScheduleGroup');
    expect(group.Properties.Name).toBe('loraworks');
    const [roleId] = only('AWS::IAM::Role', 'SchedulesSchedulerRole');
    const [queueId] = only('AWS::SQS::Queue');
    const [retrainId] = functionByHandler(template, 'retrain');
    for (const handler of SCHEDULE_HANDLERS) {
      expect(envOf(handler), handler).toMatchObject({
        TABLE_NAME: expect.anything(),
        SCHEDULE_GROUP: { Ref: groupId },
        RETRAIN_FUNCTION_ARN: { 'Fn::GetAtt': [retrainId, 'Arn'] },
        SCHEDULER_ROLE_ARN: { 'Fn::GetAtt': [roleId, 'Arn'] },
        SCHEDULE_DLQ_ARN: { 'Fn::GetAtt': [queueId, 'Arn'] },
      });
    }
    // The two that start jobs in-process get what create-job gets.
    for (const handler of ['run-schedule', 'retrain']) expect(envOf(handler), handler).toMatchObject(envOf('create-job'));
  });

  it('lets Scheduler (this account, this group) assume the role, which may invoke retrain and dead-letter to the queue, nothing else', () => {
    const [groupId] = only('AWS::Scheduler::ScheduleGroup');
    const [roleId, role] = only('AWS::IAM::Role', 'SchedulesSchedulerRole');
    expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([{
      Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } }, ArnEquals: { 'aws:SourceArn': { 'Fn::GetAtt': [groupId, 'Arn'] } } },
    }]);
    const [queueId] = only('AWS::SQS::Queue');
    expect(policyStatementsOfRole(roleId)).toEqual([
      { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: { 'Fn::GetAtt': [functionByHandler(template, 'retrain')[0], 'Arn'] } },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } },
    ]);
  });

  it('sends a firing retrain still fails after Lambda\'s asynchronous retries to the same queue', () => {
    const [queueId] = only('AWS::SQS::Queue');
    const [retrainId] = functionByHandler(template, 'retrain');
    const [, config] = only('AWS::Lambda::EventInvokeConfig');
    expect(config.Properties).toEqual({
      FunctionName: { Ref: retrainId }, Qualifier: '$LATEST', MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [queueId, 'Arn'] } } },
    });
    expect(statementsOf(template, retrainId)).toContainEqual({ Effect: 'Allow', Action: expect.arrayContaining(['sqs:SendMessage']), Resource: { 'Fn::GetAtt': [queueId, 'Arn'] } });
  });

  it('keeps dead-letter events 14 days in an encrypted, TLS-only queue', () => {
    const [queueId, queue] = only('AWS::SQS::Queue');
    expect(queue.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    const policy = ofType(template, 'AWS::SQS::QueuePolicy').find(([, p]) => p.Properties.Queues.some((q) => q.Ref === queueId));
    expect(policy?.[1].Properties.PolicyDocument.Statement).toEqual(expect.arrayContaining([expect.objectContaining({
      Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } },
    })]));
  });

  it('lets only create/update/delete-schedule touch Scheduler: the group\'s schedules, passing the Scheduler role only', () => {
    const [roleId] = only('AWS::IAM::Role', 'SchedulesSchedulerRole');
    const touches = (handler: string) => statementsOf(template, functionByHandler(template, handler)[0])
      .filter((s) => [s.Action].flat().some((a) => a.startsWith('scheduler:') || a.startsWith('iam:')));
    const managers = ALL_HANDLERS.filter((handler) => touches(handler).length > 0).sort();
    expect(managers).toEqual(['create-schedule', 'delete-schedule', 'update-schedule']);
    for (const handler of managers) {
      expect(touches(handler), handler).toEqual([
        { Effect: 'Allow', Action: ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule'], Resource: GROUP_SCHEDULES },
        { Effect: 'Allow', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [roleId, 'Arn'] } },
      ]);
    }
    for (const handler of ['list-schedules', 'get-schedule', 'list-schedule-runs']) {
      expect(actionsOf(template, functionByHandler(template, handler)[0]), handler).not.toContain('dynamodb:PutItem');
    }
  });
});

describe('HTTP API', () => {
  it('maps each route of docs/internals.md to its own handler', () => {
    const routes = ofType(template, 'AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties.RouteKey.includes(' '));
    const seen: Record<string, string> = {};
    for (const [id, route] of routes) {
      const integrationId = route.Properties.Target['Fn::Join'][1][1].Ref;
      const integration = resourceOf(template, 'AWS::ApiGatewayV2::Integration', integrationId)!;
      expect(integration.Properties.PayloadFormatVersion).toBe('2.0');
      const fnId = functionIdIn(integration.Properties.IntegrationUri) ?? integration.Properties.IntegrationUri['Fn::GetAtt']?.[0];
      seen[route.Properties.RouteKey] = handlerOf(template, fnId!)!;
      expect(route.Metadata?.[HANDLER_METADATA_KEY], id).toBe(seen[route.Properties.RouteKey]);
    }
    expect(seen).toEqual(HTTP_ROUTES);
  });

  const httpAuthorizers = () => ofType(template, 'AWS::ApiGatewayV2::Authorizer')
    .filter(([, a]) => template.Resources[a.Properties.ApiId!.Ref]?.Properties?.ProtocolType === 'HTTP');

  it('runs one Lambda REQUEST authorizer (authorize: a JWT or an API token) on every route but GET /health and GET /openapi.json', () => {
    const authorizers = httpAuthorizers();
    expect(authorizers).toHaveLength(1);
    const [authId, auth] = authorizers[0]!;
    expect(auth.Properties).toMatchObject({
      AuthorizerType: 'REQUEST',
      IdentitySource: ['$request.header.Authorization'],
      EnableSimpleResponses: true,
      AuthorizerPayloadFormatVersion: '2.0',
      AuthorizerResultTtlInSeconds: 60,
    });
    expect(handlerOf(template, functionIdIn(auth.Properties.AuthorizerUri)!)).toBe('authorize');
    expect(auth.Metadata?.[HANDLER_METADATA_KEY]).toBe('authorize');
    for (const [, route] of ofType(template, 'AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties.RouteKey.includes(' '))) {
      if (['GET /health', 'GET /openapi.json'].includes(route.Properties.RouteKey)) {
        expect(route.Properties.AuthorizationType).toBe('NONE');
        expect(route.Properties.AuthorizerId).toBeUndefined();
      } else {
        expect(route.Properties.AuthorizationType, route.Properties.RouteKey).toBe('CUSTOM');
        expect(route.Properties.AuthorizerId, route.Properties.RouteKey).toEqual({ Ref: authId });
      }
    }
  });

  it('gives both authorizers the Cognito issuer, client and JWKS, and only GetItem and UpdateItem on the table itself', () => {
    const issuerParts = ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: expect.stringMatching(/^AuthUserPool/) }];
    const issuer = { 'Fn::Join': ['', issuerParts] };
    for (const handler of ['authorize', 'ws-authorize']) {
      expect(envOf(handler), handler).toMatchObject({
        TABLE_NAME: { Ref: expect.stringMatching(/^StorageTable/) },
        JWT_ISSUER: issuer,
        JWT_AUDIENCE: { Ref: expect.stringMatching(/^AuthUserPoolWebClient/) },
        JWKS_URI: { 'Fn::Join': ['', [...issuerParts, '/.well-known/jwks.json']] },
      });
      const [id] = functionByHandler(template, handler);
      const table = statementsOf(template, id).filter((st) => [st.Action].flat().some((a: string) => a.startsWith('dynamodb:')));
      expect(table, handler).toEqual([expect.objectContaining({
        Effect: 'Allow',
        Action: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^StorageTable/), 'Arn'] },
      })]);
    }
  });

  it('lets the token routes touch the table, and nothing else', () => {
    for (const handler of ['create-token', 'list-tokens', 'delete-token']) {
      const actions = actionsOf(template, functionByHandler(template, handler)[0]);
      expect(actions, handler).toContain('dynamodb:Query');
      expect(actions.filter((a) => !a.startsWith('dynamodb:') && !a.startsWith('logs:')), handler).toEqual([]);
    }
    expect(actionsOf(template, functionByHandler(template, 'list-tokens')[0])).not.toContain('dynamodb:PutItem');
  });

  it('allows the web origin by CORS and logs access', () => {
    assert.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
      CorsConfiguration: Match.objectLike({
        AllowOrigins: [{ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [Match.stringLikeRegexp('^WebDistribution'), 'DomainName'] }]] }],
        AllowHeaders: Match.arrayWith(['authorization', 'idempotency-key']),
      }),
    });
    // The dataset editor reads a version's zip by byte ranges from the web origin (presigned GET, 206).
    const webOrigin = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [expect.stringMatching(/^WebDistribution/), 'DomainName'] }]] };
    const [, datasets] = ofType(template, 'AWS::S3::Bucket').find(([id]) => id.startsWith('StorageDatasets'))!;
    expect((datasets.Properties as unknown as { CorsConfiguration: { CorsRules: unknown[] } }).CorsConfiguration.CorsRules).toContainEqual({
      AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: [webOrigin], AllowedHeaders: ['Range'],
      ExposedHeaders: ['Content-Range', 'Content-Length', 'ETag', 'Accept-Ranges'], MaxAge: 3000,
    });
    assert.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default', AutoDeploy: true, AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });
});

describe('WebSocket API', () => {
  const wsRoutes = () => ofType(template, 'AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties.RouteKey.startsWith('$'));

  it('authorizes $connect with ws-authorize reading the token from the query string', () => {
    const [authId, auth] = ofType(template, 'AWS::ApiGatewayV2::Authorizer')
      .find(([, a]) => template.Resources[a.Properties.ApiId!.Ref]?.Properties?.ProtocolType === 'WEBSOCKET')!;
    expect(auth.Properties.IdentitySource).toEqual(['route.request.querystring.token']);
    expect(handlerOf(template, functionIdIn(auth.Properties.AuthorizerUri)!)).toBe('ws-authorize');
    expect(auth.Metadata?.[HANDLER_METADATA_KEY]).toBe('ws-authorize');
    const connect = wsRoutes().find(([, r]) => r.Properties.RouteKey === '$connect')![1];
    expect(connect.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authId } });
  });

  it('routes $connect, $disconnect and $default to their handlers', () => {
    const byKey = Object.fromEntries(wsRoutes().map(([, r]) => {
      const integration = template.Resources[r.Properties.Target['Fn::Join'][1][1].Ref]!;
      return [r.Properties.RouteKey, handlerOf(template, functionIdIn(integration.Properties.IntegrationUri)!)];
    }));
    expect(byKey).toEqual({ $connect: 'ws-connect', $disconnect: 'ws-disconnect', $default: 'ws-message' });
    for (const [, r] of wsRoutes()) expect(r.Metadata?.[HANDLER_METADATA_KEY]).toBe(byKey[r.Properties.RouteKey]);
  });

  it('deploys the prod stage automatically, with access logs', () => {
    assert.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'prod', AutoDeploy: true, AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('feeds notify from the table stream, only for jobs and dataset versions', () => {
    const [notifyId] = functionByHandler(template, 'notify');
    assert.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: notifyId },
      EventSourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageTable'), 'StreamArn'] },
      BatchSize: 50,
      MaximumRetryAttempts: 3,
      BisectBatchOnFunctionError: true,
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ dynamodb: { NewImage: { type: { S: ['Job', 'DatasetVersion', 'Adapter'] } } } }) }] },
    });
    expect(actionsOf(template, notifyId)).toContain('execute-api:ManageConnections');
  });
});

describe('datasets', () => {
  it('validates every object created under datasets/ (presigned) and incoming/ (direct tooling uploads) with validate-dataset', () => {
    const [validatorId] = functionByHandler(template, 'validate-dataset');
    const [deriverId] = functionByHandler(template, 'derive-dataset-version');
    assert.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: Match.stringLikeRegexp('^StorageDatasets') },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [['datasets/', validatorId], ['incoming/', validatorId], ['edits/', deriverId], ['additions/', deriverId]].map(([prefix, id]) => ({
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: prefix }] } },
          LambdaFunctionArn: { 'Fn::GetAtt': [id, 'Arn'] },
        })),
      },
    });
    const reads = JSON.stringify(assert.findResources('AWS::IAM::Policy'));
    expect(reads).toContain('/incoming/*');
  });

  it('lets the deriver read edits/, additions/ and validated/, and write (multipart) only under datasets/, at 1024 MB', () => {
    const [deriverId, deriver] = functionByHandler(template, 'derive-dataset-version');
    const s3 = statementsOf(template, deriverId).filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')) && (s.Resource as { 'Fn::Join'?: unknown })['Fn::Join'])
      .map((s) => ({ actions: [s.Action].flat(), prefix: String((s.Resource as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1][1]) }));
    expect(s3).toEqual([
      { actions: ['s3:GetObject'], prefix: '/edits/*' },
      { actions: ['s3:GetObject'], prefix: '/additions/*' },
      { actions: ['s3:GetObject'], prefix: '/validated/*' },
      { actions: ['s3:PutObject', 's3:AbortMultipartUpload'], prefix: '/datasets/*' },
    ]);
    expect(deriver.Properties.MemorySize).toBe(1024);
  });

  it('lets the validator list the datasets bucket (and only it), so a missing sidecar or removed upload is 404, not 403', () => {
    const [validatorId] = functionByHandler(template, 'validate-dataset');
    const listing = statementsOf(template, validatorId).filter((s) => [s.Action].flat().includes('s3:ListBucket'));
    expect(listing).toHaveLength(1);
    expect(listing[0]).toMatchObject({ Effect: 'Allow', Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [expect.stringMatching(/^StorageDatasets/), 'Arn'] } });
  });

  it('runs the validator with a small young generation, so streamed socket buffers die in scavenges', () => {
    const [, validator] = functionByHandler(template, 'validate-dataset');
    expect(validator.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps --max-semi-space-size=1');
    const [, health] = functionByHandler(template, 'health');
    expect(health.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
  });
});

describe('imported LoRAs', () => {
  const s3Of = (handler: string) => statementsOf(template, functionByHandler(template, handler)[0])
    .filter((s) => [s.Action].flat().some((a: string) => a.startsWith('s3:')))
    .map((s) => ({ actions: [s.Action].flat(), resource: JSON.stringify(s.Resource) }));

  it('checks every object created under imports/ of the artifacts bucket with check-adapter-import, which may only read imports/', () => {
    const [checkerId] = functionByHandler(template, 'check-adapter-import');
    assert.hasResourceProperties('Custom::S3BucketNotifications', {
      BucketName: { Ref: Match.stringLikeRegexp('^StorageArtifacts') },
      NotificationConfiguration: {
        LambdaFunctionConfigurations: [{
          Events: ['s3:ObjectCreated:*'],
          Filter: { Key: { FilterRules: [{ Name: 'prefix', Value: 'imports/' }] } },
          LambdaFunctionArn: { 'Fn::GetAtt': [checkerId, 'Arn'] },
        }],
      },
    });
    const s3 = s3Of('check-adapter-import');
    expect(s3).toHaveLength(1);
    expect(s3[0]!.actions).toEqual(['s3:GetObject']);
    expect(s3[0]!.resource).toMatch(/StorageArtifacts.*\/imports\/\*/);
  });

  it('lets create-adapter-import sign posts under imports/ only, get-adapter-artifact read loras/ and imports/, delete-adapter remove imports/ only', () => {
    expect(s3Of('create-adapter-import')).toEqual([{ actions: ['s3:PutObject'], resource: expect.stringMatching(/StorageArtifacts.*\/imports\/\*/) }]);
    expect(s3Of('get-adapter-artifact').map((s) => s.resource.match(/\/(\w+)\/\*/)?.[1])).toEqual(['loras', 'imports']);
    expect(s3Of('get-adapter-artifact').every((s) => s.actions.join() === 's3:GetObject')).toBe(true);
    expect(s3Of('delete-adapter')).toEqual([{ actions: ['s3:DeleteObject'], resource: expect.stringMatching(/StorageArtifacts.*\/imports\/\*/) }]);
  });
});

describe('training state machine', () => {
  const STATES = ['Submit', 'AfterSubmit', 'WaitForTrainer', 'Poll', 'Route', 'Collect', 'CancelRemote', 'AfterCancel',
    'WaitForCancel', 'OverBudget', 'MarkFailed', 'Failed', 'Done'];
  const TASKS: Record<string, string> = {
    Submit: 'training-submit', Poll: 'training-poll', Collect: 'training-collect',
    CancelRemote: 'training-cancel-remote', MarkFailed: 'training-mark-failed',
  };
  let asl: Asl;
  beforeAll(() => { asl = stateMachineDefinition(template); });

  it('has exactly the states of docs/internals.md', () => {
    expect(asl.StartAt).toBe('Submit');
    expect(Object.keys(asl.States).sort()).toEqual([...STATES].sort());
  });

  it('stays in JSONPath with plain Lambda tasks (no JSONata, HTTP task or task token)', () => {
    const text = JSON.stringify(asl);
    expect(asl.QueryLanguage ?? 'JSONPath').toBe('JSONPath');
    expect(text).not.toMatch(/JSONata|Arguments|Output"|http:invoke|waitForTaskToken|states:::/);
    for (const [name, state] of Object.entries(asl.States)) {
      if (state.Type !== 'Task') continue;
      expect(state.Resource, name).toBe(`arn:handler:${TASKS[name]}`);
      expect(state.Parameters, `${name} passes the whole state`).toBeUndefined();
    }
    expect(Object.entries(asl.States).filter(([, s]) => s.Type === 'Task').map(([n]) => n).sort())
      .toEqual(Object.keys(TASKS).sort());
  });

  it('retries transient trainer and Lambda errors with backoff and full jitter on every task', () => {
    for (const name of Object.keys(TASKS)) {
      expect(asl.States[name]!.Retry, name).toEqual([{
        ErrorEquals: ['TrainerUnavailable', 'Lambda.ServiceException', 'Lambda.AWSLambdaException',
          'Lambda.SdkClientException', 'Lambda.TooManyRequestsException'],
        IntervalSeconds: 2, MaxAttempts: 6, BackoffRate: 2, MaxDelaySeconds: 60, JitterStrategy: 'FULL',
      }]);
    }
  });

  it('catches every error into MarkFailed, keeping it in $.error', () => {
    for (const name of Object.keys(TASKS).filter((n) => n !== 'MarkFailed')) {
      expect(asl.States[name]!.Catch, name).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'MarkFailed' }]);
    }
    expect(asl.States.MarkFailed!.Catch).toBeUndefined();
    expect(asl.States.MarkFailed!.Next).toBe('Failed');
    expect(asl.States.Failed!.Type).toBe('Fail');
  });

  it('waits as long as the state says and routes by phase and poll budget', () => {
    expect(asl.States.WaitForTrainer).toEqual({ Type: 'Wait', SecondsPath: '$.waitSeconds', Next: 'Poll' });
    expect(asl.States.WaitForCancel).toEqual({ Type: 'Wait', SecondsPath: '$.waitSeconds', Next: 'CancelRemote' });
    expect(asl.States.Submit!.Next).toBe('AfterSubmit');
    expect(asl.States.AfterSubmit).toMatchObject({
      Choices: [{ Variable: '$.phase', StringEquals: 'done', Next: 'Done' }], Default: 'WaitForTrainer',
    });
    expect(asl.States.Poll!.Next).toBe('Route');
    expect(asl.States.Route).toEqual({
      Type: 'Choice',
      Choices: [
        { Variable: '$.phase', StringEquals: 'completed', Next: 'Collect' },
        { Variable: '$.phase', StringEquals: 'cancel', Next: 'CancelRemote' },
        { Variable: '$.phase', StringEquals: 'failed', Next: 'MarkFailed' },
        { Variable: '$.polls', NumericGreaterThanEquals: 2000, Next: 'OverBudget' },
      ],
      Default: 'WaitForTrainer',
    });
    expect(asl.States.CancelRemote!.Next).toBe('AfterCancel');
    expect(asl.States.AfterCancel).toMatchObject({
      Choices: [
        { Variable: '$.phase', StringEquals: 'completed', Next: 'Collect' },
        { Variable: '$.phase', StringEquals: 'cancelling', Next: 'WaitForCancel' },
      ],
      Default: 'Done',
    });
    expect(asl.States.OverBudget).toMatchObject({ Type: 'Pass', ResultPath: '$.error', Next: 'MarkFailed' });
    expect(asl.States.Collect!.Next).toBe('Done');
    expect(asl.States.Done!.Type).toBe('Succeed');
  });

  it('is a Standard workflow with a backstop timeout an hour past the 12-hour training deadline, full logging and X-Ray', () => {
    expect(asl.TimeoutSeconds).toBe(13 * 3600);
    assert.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: true }),
      TracingConfiguration: { Enabled: true },
    });
  });
});

describe('sign-in (OpenID Connect with Cognito)', () => {
  const devOrigin = 'http://localhost:5173';
  let signIn: Template;
  let config: { auth: Record<string, string> };
  /** The published config.json with each deployment marker replaced by what it stands for in the template. */
  let resolved: Record<string, unknown>;

  beforeAll(() => {
    const { app, stack } = buildApp({ bundling: false, stackProps: { webDistPath: '/nonexistent/web/dist', extraCorsOrigins: [devOrigin] } });
    const assembly = app.synth();
    signIn = assembly.getStackByName(stack.stackName).template as Template;
    const props = ofType(signIn, 'Custom::CDKBucketDeployment')[0]![1].Properties;
    const markers = (props.SourceMarkers as Record<string, unknown>[])[0]!;
    const assetDir = join(assembly.directory, `asset.${props.SourceObjectKeys[0].replace(/\.zip$/, '')}`);
    config = JSON.parse(readFileSync(join(assetDir, 'config.json'), 'utf8'));
    resolved = Object.fromEntries(Object.entries(config.auth).map(([key, value]) =>
      [key, value.split(/(<<marker:[^>]+>>)/).filter(Boolean).map((part) => markers[part] ?? part)]));
  });

  const logicalIdOf = (type: string) => {
    const ids = Object.entries(signIn.Resources).filter(([, r]) => r.Type === type).map(([id]) => id);
    expect(ids, type).toHaveLength(1);
    return ids[0]!;
  };
  const propertiesOf = (type: string) => signIn.Resources[logicalIdOf(type)]!.Properties as Record<string, unknown>;
  const webOrigin = () => ({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalIdOf('AWS::CloudFront::Distribution'), 'DomainName'] }, '/']] });

  it('has a managed-login (version 2) domain with a branding of Cognito\'s own values for the web client', () => {
    const domain = propertiesOf('AWS::Cognito::UserPoolDomain');
    expect(domain).toMatchObject({ ManagedLoginVersion: 2, UserPoolId: { Ref: logicalIdOf('AWS::Cognito::UserPool') } });
    expect(JSON.stringify(domain.Domain)).toContain('loraworks-');
    expect(propertiesOf('AWS::Cognito::ManagedLoginBranding')).toMatchObject({
      UserPoolId: { Ref: logicalIdOf('AWS::Cognito::UserPool') },
      ClientId: { Ref: logicalIdOf('AWS::Cognito::UserPoolClient') },
      UseCognitoProvidedValues: true,
    });
  });

  it('gives the web client only the authorization-code grant, no secret, the three scopes and exact URLs', () => {
    const client = propertiesOf('AWS::Cognito::UserPoolClient');
    expect(client).toMatchObject({
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      GenerateSecret: false,
      EnableTokenRevocation: true,
      SupportedIdentityProviders: ['COGNITO'],
      IdTokenValidity: 60,
      AccessTokenValidity: 60,
      RefreshTokenValidity: 30 * 24 * 60,
    });
    expect(client.ExplicitAuthFlows ?? [], 'no password flows beside managed login').not.toContain('ALLOW_USER_PASSWORD_AUTH');
    expect(client.CallbackURLs).toEqual([webOrigin(), `${devOrigin}/`]);
    expect(client.LogoutURLs).toEqual([webOrigin(), `${devOrigin}/`]);
  });

  it('publishes a config.json whose authority, client and sign-out URL are this pool, client and domain', () => {
    expect(config.auth).toMatchObject({ mode: 'oidc', scopes: 'openid email profile' });
    expect(resolved.authority).toEqual(['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: logicalIdOf('AWS::Cognito::UserPool') }]);
    expect(resolved.clientId).toEqual([{ Ref: logicalIdOf('AWS::Cognito::UserPoolClient') }]);
    expect(resolved.logoutUrl).toEqual(['https://', { Ref: logicalIdOf('AWS::Cognito::UserPoolDomain') }, '.auth.', { Ref: 'AWS::Region' }, '.amazoncognito.com/logout']);
    // The app's redirect_uri is its origin + '/': the first callback URL is the CloudFront origin's.
    expect((propertiesOf('AWS::Cognito::UserPoolClient').CallbackURLs as unknown[])[0]).toEqual(webOrigin());
  });

  it('takes the domain prefix from the context value cognitoDomainPrefix', () => {
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [], cognitoDomainPrefix: 'my-loras' } });
    const stack = new LoraworksStack(app, 'DomainPrefix', { webDistPath: '/nonexistent/web/dist' });
    const template = app.synth().getStackByName(stack.stackName).template as Template;
    const domain = Object.values(template.Resources).find((r) => r.Type === 'AWS::Cognito::UserPoolDomain')!;
    expect((domain.Properties as { Domain: unknown }).Domain).toBe('my-loras');
  });
});

describe('web', () => {
  it('serves the private web bucket through CloudFront with OAC, HTTPS and security headers', () => {
    assert.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    assert.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          ResponseHeadersPolicyId: '67f7725c-6f97-4210-82d7-5512b31e9d03', // managed SecurityHeadersPolicy
        }),
        Logging: Match.objectLike({ Bucket: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageAccessLogs'), 'RegionalDomainName'] } }),
        Origins: [Match.objectLike({
          DomainName: { 'Fn::GetAtt': [Match.stringLikeRegexp('^StorageWeb'), 'RegionalDomainName'] },
          OriginAccessControlId: Match.anyValue(),
        })],
      }),
    });
  });

  it('deploys /config.json pointing at the APIs and the user pool', () => {
    const { app, stack } = buildApp({ bundling: false, stackProps: { webDistPath: '/nonexistent/web/dist' } });
    const assembly = app.synth();
    const deployments = ofType(assembly.getStackByName(stack.stackName).template, 'Custom::CDKBucketDeployment');
    expect(deployments).toHaveLength(1);
    const props = deployments[0]![1].Properties;
    expect(props.SourceObjectKeys, 'without web/dist only config.json is deployed').toHaveLength(1);
    expect(props.DistributionPaths).toEqual(['/index.html', '/config.json']);
    const markers = JSON.stringify(props.SourceMarkers);
    for (const ref of ['ApiHttpApi', 'RealtimeWebSocketApi', 'AuthUserPool', 'AuthUserPoolWebClient']) expect(markers).toContain(ref);

    const assetDir = join(assembly.directory, `asset.${props.SourceObjectKeys[0].replace(/\.zip$/, '')}`);
    const config = JSON.parse(readFileSync(join(assetDir, 'config.json'), 'utf8'));
    expect(config).toEqual({
      apiUrl: expect.stringMatching(/^<<marker:/),
      wsUrl: expect.stringMatching(/^wss:\/\/<<marker:.*\/prod$/),
      auth: { mode: 'oidc', authority: expect.any(String), clientId: expect.any(String), scopes: 'openid email profile', logoutUrl: expect.any(String) },
    });
  });

  it('also deploys the built app when web/dist exists', () => {
    const props = ofType(template, 'Custom::CDKBucketDeployment')[0]![1].Properties;
    const built = existsSync(join(__dirname, '../../web/dist/index.html'));
    expect(props.SourceObjectKeys).toHaveLength(built ? 2 : 1);
  });
});
