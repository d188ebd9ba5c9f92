// The local cloud's IAM engine: what each function's role allows, read from the synthesized template, and the
// evaluation rules (wildcards, NotAction, explicit Deny) on small templates of our own.
import { describe, expect, it } from 'vitest';
import { localTemplate } from '#local/template-cache';
import { LocalIam } from '#local/aws/iam';
import { DEVELOPER_CREDENTIALS, principalCredentials } from '#local/aws/local-credentials';
import { functionArn } from '#local/aws/lambda-runtime';
import { StackTemplate } from '#local/template';

const NAMES = { table: 'loraworks', datasets: 'loraworks-datasets', artifacts: 'loraworks-artifacts' };
const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/loraworks';
const key = (name: string) => principalCredentials(name).accessKeyId;

const iam = LocalIam.fromTemplate(new StackTemplate(await localTemplate()), NAMES);

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
