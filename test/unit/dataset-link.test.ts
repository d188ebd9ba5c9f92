// The dataset link the trainer downloads: presigned with the dataset link signer's long-lived key (from its
// secret), never with Submit's own session, so it lives its 6 hours even when the function's credentials expire
// first, as temporary credentials do.
import './handler-env';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { presignDownload } from '#adapters/blob-store';
import { resetLinkSigner } from '#adapters/link-signer';
import { principalCredentials, sessionCredentials, sessionExpiry } from '#local/aws/local-credentials';
import { jobItem } from './handler-env';
import { provider } from './scripted-trainers';

vi.mock('#adapters/trainers', () => import('./scripted-trainers'));
const { handler: submit } = await import('#handlers/training-submit');

const ddb = mockClient(DynamoDBDocumentClient);
const secrets = mockClient(SecretsManagerClient);
const s3 = mockClient(S3Client);
const SIGNER = principalCredentials('dataset-link-signer');
const SIGNER_SECRET = 'arn:aws:secretsmanager:us-east-1:000000000000:secret:TrainingDatasetLinkSignerSecret-abcdef';
const remote = { provider: 'fal', endpoint: 'fal-ai/flux-lora-fast-training', requestId: 'r1' };
const now = Date.now();

/** Submit's own credentials: a session that ends in 15 minutes, as a Lambda role's may. */
const session = sessionCredentials('training-submit', new Date(now + 15 * 60_000));

beforeEach(() => {
  ddb.reset();
  secrets.reset();
  s3.reset();
  resetLinkSigner();
  Object.values(provider).forEach((fn) => fn.mockReset());
  vi.stubEnv('DATASET_LINK_SIGNER_SECRET_ARN', SIGNER_SECRET);
  vi.stubEnv('AWS_ACCESS_KEY_ID', session.accessKeyId);
  vi.stubEnv('AWS_SECRET_ACCESS_KEY', session.secretAccessKey);
  vi.stubEnv('AWS_SESSION_TOKEN', session.sessionToken);
  secrets.on(GetSecretValueCommand, { SecretId: SIGNER_SECRET }).resolves({ SecretString: JSON.stringify(SIGNER) });
  ddb.on(GetCommand).resolves({});
  ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'JOB#01JOB' } }).resolves({ Item: jobItem({ createdAt: new Date(now - 60_000).toISOString() }) });
  ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DSV#ds1#000001' } }).resolves({
    Item: { version: 1, status: 'READY', fileName: 'set.zip', validatedKey: 'validated/alice/ds1/v1/set.zip', validatedETag: 'e1' },
  });
  // Submit checks the validated copy is still the one validated before it links it.
  s3.on(HeadObjectCommand).resolves({ ETag: '"e1"', ContentLength: 100 });
  ddb.on(UpdateCommand).resolves({ Attributes: jobItem({ remote }) });
  provider.submit.mockResolvedValue(remote);
});
afterEach(() => vi.unstubAllEnvs());

const linkHandedToTrainer = async () => {
  expect((await submit({ jobId: '01JOB', owner: 'alice' })).phase).toBe('queued');
  return new URL(provider.submit.mock.calls.at(-1)![0].datasetUrl);
};
/** The last moment a presigned URL's own signature is valid. */
const validUntil = (url: URL) => {
  const date = url.searchParams.get('X-Amz-Date')!.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
  return Date.parse(date) + Number(url.searchParams.get('X-Amz-Expires')) * 1000;
};

describe('the dataset link', () => {
  it('is signed with the link signer\'s key, carries no session token, and is valid 6 hours', async () => {
    const link = await linkHandedToTrainer();
    expect(link.pathname).toContain('validated/alice/ds1/v1/set.zip');
    expect(link.searchParams.get('X-Amz-Credential')).toMatch(new RegExp(`^${SIGNER.accessKeyId}/`));
    expect(link.searchParams.has('X-Amz-Security-Token')).toBe(false);
    expect(link.searchParams.get('X-Amz-Expires')).toBe(String(6 * 3600));
  });

  it('outlives the function\'s session, where a link signed with the session would not', async () => {
    const link = await linkHandedToTrainer();
    const sessionLink = new URL(await presignDownload('datasets-test', 'datasets/alice/ds1/v1/set.zip', 6 * 3600));
    const token = sessionLink.searchParams.get('X-Amz-Security-Token')!;
    expect(sessionExpiry(token)).toEqual({ principal: 'training-submit', expiresAt: new Date(now + 15 * 60_000) });
    // An hour on, the trainer reaches the front of its queue: the session's token has expired (S3: ExpiredToken),
    // though that link's own signature would still be valid; the signer's link carries no token and is valid.
    const anHourOn = now + 3600_000;
    expect(sessionExpiry(token)!.expiresAt.getTime()).toBeLessThan(anHourOn);
    expect(validUntil(sessionLink)).toBeGreaterThan(anHourOn);
    expect(validUntil(link)).toBeGreaterThan(anHourOn);
    expect(sessionExpiry(`${token}x`)).toBeUndefined(); // a forged or altered token is no session
  });

  it('reads the signer\'s key once, and again after a failed read', async () => {
    secrets.on(GetSecretValueCommand).rejectsOnce(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }))
      .resolves({ SecretString: JSON.stringify(SIGNER) });
    await expect(submit({ jobId: '01JOB', owner: 'alice' })).rejects.toThrow("Could not read the dataset link signer's key from Secrets Manager: ThrottlingException.");
    expect(provider.submit).not.toHaveBeenCalled();
    await linkHandedToTrainer();
    await linkHandedToTrainer();
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });
});
