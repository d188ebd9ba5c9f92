// The local STS and the sessions it hands out: who may assume the tooling-upload role (its trust policy and the
// caller's own policies, as STS decides), STS's refusals, and what a session may then do (its role's policies AND
// its session policy), driven by the SDK's own STS client against the synthesized template.
import { AssumeRoleCommand, STSClient, STSServiceException } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadSessionPolicy } from '#domain/upload-credentials';
import { localTemplate } from '#local/template-cache';
import { closeServer, startServer } from '#local/http-util';
import { LocalIam } from '#local/aws/iam';
import { localRoleArn, localRoleId } from '#local/aws/lambda-runtime';
import { assumedRoleCredentials, DEVELOPER_CREDENTIALS, principalCredentials, type LocalCredentials } from '#local/aws/local-credentials';
import { sessionRefusal } from '#local/aws/s3-auth';
import { localSts } from '#local/aws/sts';
import { StackTemplate } from '#local/template';

const NAMES = { table: 'loraworks', datasets: 'loraworks-datasets', artifacts: 'loraworks-artifacts' };
const template = new StackTemplate(await localTemplate());
const iam = LocalIam.fromTemplate(template, NAMES);
const roleVar = template.roleVariables().UPLOAD_ROLE_ARN!;
const ROLE_ARN = localRoleArn(roleVar.roleName);
const ISSUER = principalCredentials('create-upload-credentials');
const object = (key: string) => `arn:aws:s3:::${NAMES.datasets}/${key}`;
const clock = new Date('2026-01-01T00:00:00Z');
let server: Awaited<ReturnType<typeof startServer>>;

beforeAll(async () => {
  const sts = localSts({ iam, now: () => clock });
  server = await startServer((req, res) => sts.handle(req, res));
});
afterAll(() => closeServer(server.server));

const stsAs = (credentials: LocalCredentials) => new STSClient({ endpoint: server.url, region: 'us-east-1', credentials });
const assume = (credentials: LocalCredentials, input: Partial<{ RoleArn: string; RoleSessionName: string; Policy: string; DurationSeconds: number }> = {}) =>
  stsAs(credentials).send(new AssumeRoleCommand({ RoleArn: ROLE_ARN, RoleSessionName: 'alice', Policy: uploadSessionPolicy(NAMES.datasets, 'alice'), DurationSeconds: 3600, ...input }));
const refusal = (promise: Promise<unknown>) => promise.then(() => { throw new Error('expected a refusal'); }, (e: STSServiceException) => ({ code: e.name, status: e.$metadata.httpStatusCode, message: e.message }));

describe('AssumeRole', () => {
  it('gives the upload-credentials function a session of the tooling-upload role, as STS answers it', async () => {
    const answer = await assume(ISSUER);
    expect(answer.AssumedRoleUser).toEqual({ AssumedRoleId: `${localRoleId(roleVar.role)}:alice`, Arn: expect.stringMatching(/^arn:aws:sts::000000000000:assumed-role\/\w+\/alice$/) });
    expect(answer.Credentials?.AccessKeyId).toMatch(/^ASIA[A-Z2-7]{16}$/);
    expect(answer.Credentials?.SessionToken).toBeTruthy();
    expect(answer.Credentials?.Expiration?.toISOString()).toBe('2026-01-01T01:00:00.000Z');
  });

  it('refuses callers the role does not trust (AccessDenied), even the developer key, and keys it never issued', async () => {
    for (const caller of [DEVELOPER_CREDENTIALS, principalCredentials('create-upload'), principalCredentials('validate-dataset')]) {
      expect(await refusal(assume(caller)), caller.accessKeyId).toMatchObject({ code: 'AccessDenied', status: 403, message: expect.stringContaining(`is not authorized to perform: sts:AssumeRole on resource: ${ROLE_ARN}`) });
    }
    expect(await refusal(assume(ISSUER, { RoleArn: localRoleArn('NoSuchRole') }))).toMatchObject({ code: 'AccessDenied', status: 403 });
    expect(await refusal(assume({ accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'x' }))).toMatchObject({ code: 'InvalidClientTokenId', status: 403 });
  });

  it('refuses a bad session name, duration or role ARN (ValidationError) and a policy that is no policy (MalformedPolicyDocument)', async () => {
    expect(await refusal(assume(ISSUER, { RoleSessionName: 'user|42' }))).toMatchObject({ code: 'ValidationError', status: 400, message: expect.stringContaining('roleSessionName') });
    expect(await refusal(assume(ISSUER, { DurationSeconds: 7200 }))).toMatchObject({ code: 'ValidationError', message: expect.stringContaining('MaxSessionDuration') });
    expect(await refusal(assume(ISSUER, { DurationSeconds: 60 }))).toMatchObject({ code: 'ValidationError', message: expect.stringContaining('durationSeconds') });
    expect(await refusal(assume(ISSUER, { RoleArn: 'tooling' }))).toMatchObject({ code: 'ValidationError', message: expect.stringContaining('roleArn') });
    expect(await refusal(assume(ISSUER, { Policy: '{not json' }))).toMatchObject({ code: 'MalformedPolicyDocumentException', status: 400 }) // the SDK's class for STS's MalformedPolicyDocument;
    expect(await refusal(assume(ISSUER, { Policy: '{"Version":"2012-10-17"}' }))).toMatchObject({ code: 'MalformedPolicyDocumentException' });
  });
});

describe('a session of the tooling-upload role', () => {
  const session = (policy: string | undefined, expiresAt = new Date(Date.now() + 3_600_000)) =>
    assumedRoleCredentials({ roleArn: ROLE_ARN, role: roleVar.role, sessionName: 'alice', ...(policy === undefined ? {} : { policy }), expiresAt });

  it('may do what its role AND its session policy allow: put and multipart under alice\'s prefix only', () => {
    const alice = session(uploadSessionPolicy(NAMES.datasets, 'alice'));
    const can = (action: string, key: string) => iam.authorize(alice.accessKeyId, action, object(key), alice.sessionToken);
    expect(can('s3:PutObject', 'incoming/alice/set/a.zip')).toEqual({ allowed: true });
    expect(can('s3:AbortMultipartUpload', 'incoming/alice/set/a.zip')).toEqual({ allowed: true });
    expect(can('s3:ListMultipartUploadParts', 'incoming/alice/set/a.zip')).toEqual({ allowed: true });
    expect(can('s3:PutObject', 'incoming/bob/set/a.zip')).toMatchObject({ allowed: false, message: expect.stringContaining('because no session policy allows the s3:PutObject action') });
    // The session policy cannot widen the role: the role may not read, nor write outside incoming/.
    const wide = session(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 's3:*', Resource: '*' }] }));
    expect(iam.authorize(wide.accessKeyId, 's3:GetObject', object('incoming/alice/set/a.zip'), wide.sessionToken)).toMatchObject({ allowed: false, message: expect.stringContaining('no identity-based policy') });
    expect(iam.authorize(wide.accessKeyId, 's3:PutObject', object('validated/alice/set/v1/a.zip'), wide.sessionToken).allowed).toBe(false);
    // Without a session policy, the role's own reach (all of incoming/).
    const bare = session(undefined);
    expect(iam.authorize(bare.accessKeyId, 's3:PutObject', object('incoming/bob/set/a.zip'), bare.sessionToken)).toEqual({ allowed: true });
  });

  it('signs nothing with a tampered, borrowed or missing token, nor once expired', () => {
    const alice = session(uploadSessionPolicy(NAMES.datasets, 'alice'));
    const bob = session(uploadSessionPolicy(NAMES.datasets, 'bob'));
    expect(iam.authorize(alice.accessKeyId, 's3:PutObject', object('incoming/bob/s/a.zip'), bob.sessionToken)).toMatchObject({ allowed: false, unrecognized: true });
    expect(iam.authorize(alice.accessKeyId, 's3:PutObject', object('incoming/alice/s/a.zip'))).toMatchObject({ allowed: false, unrecognized: true });
    const [prefix, payload, signature] = alice.sessionToken.split('.');
    const widened = Buffer.from(Buffer.from(payload!, 'base64url').toString().replace(/"exp":\d+/, '"exp":99999999999999')).toString('base64url');
    expect(iam.authorize(alice.accessKeyId, 's3:PutObject', object('incoming/alice/s/a.zip'), `${prefix}.${widened}.${signature}`)).toMatchObject({ allowed: false, unrecognized: true });
    const expired = session(uploadSessionPolicy(NAMES.datasets, 'alice'), new Date(Date.now() - 1000));
    expect(iam.authorize(expired.accessKeyId, 's3:PutObject', object('incoming/alice/s/a.zip'), expired.sessionToken)).toMatchObject({ allowed: false, message: expect.stringContaining('expired') });
  });

  it('is refused by S3 past its expiry (ExpiredToken), and without its token', () => {
    const expiresAt = new Date('2026-01-01T01:00:00Z');
    const alice = session(uploadSessionPolicy(NAMES.datasets, 'alice'), expiresAt);
    expect(sessionRefusal(alice.sessionToken, alice.accessKeyId, new Date('2026-01-01T00:59:59Z'))).toBeNull();
    expect(sessionRefusal(alice.sessionToken, alice.accessKeyId, expiresAt)).toMatchObject({ code: 'ExpiredToken' });
    expect(sessionRefusal(undefined, alice.accessKeyId, new Date('2026-01-01T00:00:00Z'))).toMatchObject({ code: 'InvalidAccessKeyId' });
  });

  it('is recorded by S3 as AWS:<role id>:<session name>; functions as their role\'s session, the developer as a user', () => {
    const alice = session(uploadSessionPolicy(NAMES.datasets, 'alice'));
    expect(iam.principalId(alice.accessKeyId, alice.sessionToken)).toBe(`AWS:${localRoleId(roleVar.role)}:alice`);
    expect(iam.principalId(ISSUER.accessKeyId)).toMatch(/^AWS:AROA[A-Z2-7]{17}:create-upload-credentials$/);
    expect(iam.principalId(DEVELOPER_CREDENTIALS.accessKeyId)).toMatch(/^AWS:AIDA[A-Z2-7]{17}$/);
    // The validator is told the same role id the template's GetAtt RoleId resolves to.
    expect(template.roleVariables().UPLOAD_ROLE_ID).toEqual({ role: roleVar.role, roleName: roleVar.roleName, attribute: 'RoleId' });
  });
});
