// The local cloud's IAM engine: what each function's role allows, read from the synthesized template, and the
// evaluation rules (wildcards, NotAction, explicit Deny) on small templates of our own.
import { describe, expect, it } from 'vitest';
import { localTemplate } from '#local/template-cache';
import { LocalIam, localBucketOf } from '#local/aws/iam';
import { DEVELOPER_CREDENTIALS, principalCredentials } from '#local/aws/local-credentials';
import { functionArn, localQueueArn, localRoleArn } from '#local/aws/lambda-runtime';
import { StackTemplate } from '#local/template';

const NAMES = { table: 'loraworks', datasets: 'loraworks-datasets', artifacts: 'loraworks-artifacts' };
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/loraworks';
const key = (name: string) => principalCredentials(name).accessKeyId;

const synthesized = new StackTemplate(await localTemplate());
const iam = LocalIam.fromTemplate(synthesized, NAMES);

describe('LocalIam on the synthesized template', () => {

  it('allows a function what its role grants, on the resource granted', () => {
    expect(iam.authorize(key('create-dataset'), 'dynamodb:PutItem', TABLE)).toEqual({ allowed: true });
    expect(iam.authorize(key('list-datasets'), 'dynamodb:Query', `${TABLE}/index/byOwner`)).toEqual({ allowed: true });
    expect(iam.authorize(key('training-collect'), 's3:PutObject', 'arn:aws:s3:::loraworks-artifacts/loras/j1/lora.safetensors')).toEqual({ allowed: true });
    expect(iam.authorize(key('states'), 'lambda:InvokeFunction', functionArn('training-submit'))).toEqual({ allowed: true });
  });

  it('denies the same action on another resource, with AWS’s words', () => {
    const decision = iam.authorize(key('training-collect'), 's3:PutObject', 'arn:aws:s3:::loraworks-datasets/datasets/x.zip');
    expect(decision.allowed).toBe(false);
    expect(decision).toMatchObject({
      message: expect.stringMatching(/^User: arn:aws:sts::000000000000:assumed-role\/TrainingTrainingCollectRole\w+\/training-collect is not authorized to perform: s3:PutObject on resource: arn:aws:s3:::loraworks-datasets\/datasets\/x.zip because no identity-based policy allows the s3:PutObject action$/),
    });
    expect(iam.authorize(key('states'), 'lambda:InvokeFunction', functionArn('create-job')).allowed).toBe(false);
  });

  it('lets the import check read imported files only, and routes the artifacts bucket\'s imports/ events to it', () => {
    const imported = 'arn:aws:s3:::loraworks-artifacts/imports/alice/01A/x.safetensors';
    expect(iam.authorize(key('check-adapter-import'), 's3:GetObject', imported)).toEqual({ allowed: true });
    expect(iam.authorize(key('check-adapter-import'), 's3:GetObject', 'arn:aws:s3:::loraworks-artifacts/loras/j1/lora.safetensors').allowed).toBe(false);
    expect(iam.authorize(key('check-adapter-import'), 's3:PutObject', imported).allowed).toBe(false);
    expect(iam.authorize(key('create-adapter-import'), 's3:PutObject', imported)).toEqual({ allowed: true });
    expect(iam.authorize(key('get-adapter-artifact'), 's3:GetObject', imported)).toEqual({ allowed: true });
    const notifications = synthesized.objectCreatedNotifications().map((n) => ({ ...n, bucket: localBucketOf(NAMES, n.bucket) }));
    expect(notifications).toContainEqual({ bucket: 'loraworks-artifacts', prefix: 'imports/', suffix: '', handler: 'check-adapter-import' });
    expect(notifications).toContainEqual({ bucket: 'loraworks-datasets', prefix: 'datasets/', suffix: '', handler: 'validate-dataset' });
  });

  it("resolves CDK's Fn::Select/Fn::Split of the state machine's ARN: the reconciler may describe and stop its executions", () => {
    const execution = 'arn:aws:states:us-east-1:000000000000:execution:Training:01JOB';
    expect(iam.authorize(key('reconcile'), 'states:DescribeExecution', execution)).toEqual({ allowed: true });
    expect(iam.authorize(key('reconcile'), 'states:StopExecution', execution)).toEqual({ allowed: true });
    expect(iam.authorize(key('list-jobs'), 'states:StopExecution', execution).allowed).toBe(false);
  });

  it('knows the users the stack makes for a principal: the dataset link signer reads validated objects only', () => {
    expect(iam.authorize(key('dataset-link-signer'), 's3:GetObject', 'arn:aws:s3:::loraworks-datasets/validated/alice/ds/v1/set.zip')).toEqual({ allowed: true });
    expect(iam.authorize(key('dataset-link-signer'), 's3:GetObject', 'arn:aws:s3:::loraworks-datasets/incoming/alice/set.zip').allowed).toBe(false);
    expect(iam.authorize(key('dataset-link-signer'), 's3:PutObject', 'arn:aws:s3:::loraworks-datasets/validated/alice/ds/v1/set.zip').allowed).toBe(false);
  });

  it('denies an action no statement names', () => {
    expect(iam.authorize(key('list-trainers'), 'dynamodb:PutItem', TABLE).allowed).toBe(false);
    expect(iam.authorize(key('list-datasets'), 'dynamodb:UpdateItem', TABLE).allowed).toBe(false);
    expect(iam.authorize(key('create-dataset'), 'dynamodb:DeleteTable', TABLE).allowed).toBe(false);
  });

  it('allows the developer key everything, and knows no other key', () => {
    expect(iam.authorize(DEVELOPER_CREDENTIALS.accessKeyId, 'dynamodb:DeleteTable', TABLE)).toEqual({ allowed: true });
    expect(iam.authorize('AKIAEXAMPLE', 'dynamodb:GetItem', TABLE)).toMatchObject({ allowed: false, unrecognized: true });
    expect(iam.authorize(key('no-such-function'), 'dynamodb:GetItem', TABLE)).toMatchObject({ allowed: false, unrecognized: true });
  });

  it('resolves the WebSocket API to the local @connections ARN', () => {
    const connection = 'arn:aws:execute-api:us-east-1:000000000000:local/local/POST/@connections/abc=';
    expect(iam.authorize(key('notify'), 'execute-api:ManageConnections', connection)).toEqual({ allowed: true });
    expect(iam.authorize(key('ws-connect'), 'execute-api:ManageConnections', connection).allowed).toBe(false);
  });

  it('survives the trip to another process (toJSON / fromJSON)', () => {
    const copy = LocalIam.fromJSON(JSON.parse(JSON.stringify(iam.toJSON())));
    expect(copy.authorize(key('create-dataset'), 'dynamodb:PutItem', TABLE)).toEqual({ allowed: true });
    expect(copy.authorize(key('list-trainers'), 'dynamodb:PutItem', TABLE).allowed).toBe(false);
  });
});

describe('the schedules of the synthesized template, as the local cloud reads them', () => {
  const [queue] = synthesized.queues();
  const roleArn = (name: string) => Object.entries(synthesized.roleVariables()).find(([variable]) => variable === name)?.[1];
  const schedulerRole = localRoleArn(roleArn('SCHEDULER_ROLE_ARN')!.roleName);
  const dlq = localQueueArn(queue!.logicalId);
  const inGroup = (groupName: string, name: string) => `arn:aws:scheduler:us-east-1:000000000000:schedule/${groupName}/${name}`;

  it('finds the schedule group, the dead-letter queue and the retrain function, and the variables that name them', () => {
    expect(synthesized.scheduleGroups()).toEqual([{ logicalId: expect.stringMatching(/^SchedulesGroup/), name: 'loraworks', variables: ['SCHEDULE_GROUP'] }]);
    expect(synthesized.queues()).toEqual([{ logicalId: expect.stringMatching(/^SchedulesDeadLetters/), arnVariables: ['SCHEDULE_DLQ_ARN'] }]);
    expect(synthesized.functionArnVariables()).toEqual({ RETRAIN_FUNCTION_ARN: 'retrain' });
    expect(roleArn('SCHEDULER_ROLE_ARN')).toMatchObject({ role: expect.stringMatching(/^SchedulesSchedulerRole/), attribute: 'Arn' });
  });

  it('lets Scheduler, as the schedules\' role, invoke retrain and dead-letter to the queue, and nothing else', () => {
    const as = (action: string, resource: string, service = 'scheduler.amazonaws.com', role = schedulerRole) => iam.authorizeServiceRole(service, role, action, resource);
    expect(as('lambda:InvokeFunction', functionArn('retrain'))).toEqual({ allowed: true });
    expect(as('sqs:SendMessage', dlq)).toEqual({ allowed: true });
    expect(as('lambda:InvokeFunction', functionArn('create-job'))).toMatchObject({
      allowed: false, message: expect.stringMatching(/^User: arn:aws:sts::000000000000:assumed-role\/SchedulesSchedulerRole\w+\/scheduler is not authorized to perform: lambda:InvokeFunction on resource: arn:aws:lambda:us-east-1:000000000000:function:create-job because no identity-based policy allows/),
    });
    expect(as('lambda:InvokeFunction', functionArn('retrain'), 'events.amazonaws.com').allowed).toBe(false);
    const functionRole = localRoleArn(roleArn('UPLOAD_ROLE_ARN')!.roleName);
    expect(as('lambda:InvokeFunction', functionArn('retrain'), 'scheduler.amazonaws.com', functionRole).allowed).toBe(false);
  });

  it('lets the schedule writers manage the group\'s schedules and pass the Scheduler role only; the readers not at all', () => {
    for (const writer of ['create-schedule', 'update-schedule', 'delete-schedule']) {
      for (const action of ['scheduler:CreateSchedule', 'scheduler:UpdateSchedule', 'scheduler:DeleteSchedule', 'scheduler:GetSchedule']) {
        expect(iam.authorize(key(writer), action, inGroup('loraworks', 'lw-01J')), `${writer} ${action}`).toEqual({ allowed: true });
      }
      expect(iam.authorize(key(writer), 'scheduler:CreateSchedule', inGroup('default', 'lw-01J')).allowed, writer).toBe(false);
      expect(iam.authorize(key(writer), 'scheduler:ListSchedules', '*').allowed, writer).toBe(false);
      expect(iam.authorize(key(writer), 'iam:PassRole', schedulerRole), writer).toEqual({ allowed: true });
      expect(iam.authorize(key(writer), 'iam:PassRole', 'arn:aws:iam::000000000000:role/Other').allowed, writer).toBe(false);
    }
    for (const reader of ['list-schedules', 'get-schedule', 'list-schedule-runs', 'run-schedule', 'retrain']) {
      expect(iam.authorize(key(reader), 'scheduler:GetSchedule', inGroup('loraworks', 'lw-01J')).allowed, reader).toBe(false);
    }
  });
});

/** A template with one function whose role has the given inline statements. */
function oneFunction(statements: unknown[], extra: Record<string, unknown> = {}) {
  return new StackTemplate({
    Resources: {
      Fn: { Type: 'AWS::Lambda::Function', Metadata: { 'loraworks:handler': 'fn' }, Properties: { Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] } } },
      FnRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'fn-role', Policies: [{ PolicyName: 'p', PolicyDocument: { Statement: statements } }] } },
      Table: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      ...extra,
    },
  });
}

describe('LocalIam evaluation', () => {
  const fn = key('fn');

  it('matches * and ? in actions (any case) and resources', () => {
    const iam = LocalIam.fromTemplate(oneFunction([
      { Effect: 'Allow', Action: 'dynamodb:Get*', Resource: { 'Fn::Sub': '${Table.Arn}' } },
      { Effect: 'Allow', Action: 's3:PutObjec?', Resource: 'arn:aws:s3:::loraworks-*/in/*' },
    ]), NAMES);
    expect(iam.authorize(fn, 'DynamoDB:getitem', TABLE)).toEqual({ allowed: true });
    expect(iam.authorize(fn, 'dynamodb:GetRecords', TABLE)).toEqual({ allowed: true });
    expect(iam.authorize(fn, 'dynamodb:PutItem', TABLE).allowed).toBe(false);
    expect(iam.authorize(fn, 's3:PutObject', 'arn:aws:s3:::loraworks-datasets/in/a')).toEqual({ allowed: true });
    expect(iam.authorize(fn, 's3:PutObject', 'arn:aws:s3:::other/in/a').allowed).toBe(false);
  });

  it('lets an explicit Deny win, and reads NotAction and NotResource', () => {
    const iam = LocalIam.fromTemplate(oneFunction([
      { Effect: 'Allow', NotAction: 'dynamodb:Delete*', Resource: '*' },
      { Effect: 'Deny', Action: 'dynamodb:PutItem', NotResource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Table', 'Arn'] }, '/index/*']] } },
    ]), NAMES);
    expect(iam.authorize(fn, 'dynamodb:GetItem', TABLE)).toEqual({ allowed: true });
    expect(iam.authorize(fn, 'dynamodb:DeleteItem', TABLE)).toMatchObject({ allowed: false, message: expect.stringContaining('because no identity-based policy allows the dynamodb:DeleteItem action') });
    expect(iam.authorize(fn, 'dynamodb:PutItem', TABLE)).toMatchObject({
      allowed: false,
      message: `User: arn:aws:sts::000000000000:assumed-role/fn-role/fn is not authorized to perform: dynamodb:PutItem on resource: ${TABLE} with an explicit deny in an identity-based policy`,
    });
  });

  it('matches nothing for a reference it cannot resolve', () => {
    const iam = LocalIam.fromTemplate(oneFunction([{ Effect: 'Allow', Action: '*', Resource: { 'Fn::GetAtt': ['Elsewhere', 'Arn'] } }]), NAMES);
    expect(iam.authorize(fn, 'dynamodb:GetItem', TABLE).allowed).toBe(false);
  });

  it('refuses to load a condition it cannot evaluate, and a managed policy it does not know', () => {
    expect(() => LocalIam.fromTemplate(oneFunction([
      { Effect: 'Allow', Action: '*', Resource: '*', Condition: { IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } } },
    ]), NAMES)).toThrow(/Condition \(IpAddress\)/);
    const managed = new StackTemplate({
      Resources: {
        Fn: { Type: 'AWS::Lambda::Function', Metadata: { 'loraworks:handler': 'fn' }, Properties: { Role: { 'Fn::GetAtt': ['FnRole', 'Arn'] } } },
        FnRole: { Type: 'AWS::IAM::Role', Properties: { ManagedPolicyArns: ['arn:aws:iam::aws:policy/AdministratorAccess'] } },
      },
    });
    expect(() => LocalIam.fromTemplate(managed, NAMES)).toThrow(/AdministratorAccess/);
  });
});
