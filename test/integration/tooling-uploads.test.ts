// Tooling's own credentials for direct S3 uploads, through one local cloud: POST /upload-credentials hands alice an
// STS session that may put only under incoming/<alice>/; what she puts there becomes her READY version, the same
// credentials cannot write under bob's prefix, and a put under bob's prefix by anyone but bob's session (the
// developer key here) is not filed under bob. Large files go up as multipart uploads with the same credentials.
import { randomBytes } from 'node:crypto';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Dataset } from '#domain/schemas';
import { LOCAL_NAMES } from '#local/cloud';
import { useCloudSession } from '#support/cloud-session';
import { makeDatasetZip } from '#support/dataset-zip';
import { LoraworksClient } from '#support/local-cloud-client';
import { toolingS3, type ToolingS3 } from '#support/tooling-s3';

const session = useCloudSession('tooling', { stepsPerSecond: 500, user: 'alice' }, 60_000);
let alice: ToolingS3;
let bob: LoraworksClient;
let zip: Buffer;
const developer = () => new S3Client({ endpoint: session.cloud.s3Url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
const refusal = (promise: Promise<unknown>) => promise.then(() => null, (e: S3ServiceException) => ({ code: e.name, status: e.$metadata.httpStatusCode }));

beforeAll(async () => {
  alice = await toolingS3(session.client);
  bob = await LoraworksClient.signIn(session.cloud.apiUrl, 'bob');
  zip = await makeDatasetZip({ images: 4, size: 300 });
});

describe('POST /upload-credentials', () => {
  it('answers an hour-long session for the caller\'s own prefix of the datasets bucket, and where S3 is', () => {
    expect(alice.answer).toMatchObject({ bucket: LOCAL_NAMES.datasets, prefix: 'incoming/dev-alice/', region: 'us-east-1', endpoint: session.cloud.s3Url });
    expect(alice.answer.credentials.accessKeyId).toMatch(/^ASIA/);
    const lasts = Date.parse(alice.answer.expiresAt) - Date.now();
    expect(lasts).toBeGreaterThan(59 * 60_000);
    expect(lasts).toBeLessThanOrEqual(3600_000);
  });

  it('refuses a caller who is not signed in', async () => {
    const res = await fetch(`${session.cloud.apiUrl}/upload-credentials`, { method: 'POST' });
    expect(res.status).toBe(401);
  });
});

describe('direct uploads with the owner\'s credentials', () => {
  it('files what alice puts under her prefix as her READY version, of source s3', async () => {
    await alice.s3.send(new PutObjectCommand({ Bucket: alice.bucket, Key: `${alice.prefix}faces/set.zip`, Body: zip }));
    const decided = await session.feed.datasetVersion('faces', 1, ['READY', 'INVALID'], 30_000);
    expect(decided).toMatchObject({ status: 'READY', source: 's3', fileName: 'set.zip', sizeBytes: zip.length });
    const dataset = await session.client.expect<Dataset>(200, 'GET', '/datasets/faces');
    expect(dataset.versions!.map((v) => [v.version, v.status])).toEqual([[1, 'READY']]);
  }, 40_000);

  it('cannot write under bob\'s prefix, nor outside incoming/, nor read anything (AccessDenied)', async () => {
    for (const key of ['incoming/dev-bob/faces/set.zip', 'datasets/dev-alice/faces/v9/set.zip', 'validated/dev-alice/faces/v1/set.zip']) {
      expect(await refusal(alice.s3.send(new PutObjectCommand({ Bucket: alice.bucket, Key: key, Body: zip }))), key).toEqual({ code: 'AccessDenied', status: 403 });
    }
    expect(await refusal(alice.s3.send(new GetObjectCommand({ Bucket: alice.bucket, Key: `${alice.prefix}faces/set.zip` })))).toEqual({ code: 'AccessDenied', status: 403 });
  });

  it('files nothing under bob for a put under his prefix by anyone else (the account\'s own key)', async () => {
    await developer().send(new PutObjectCommand({ Bucket: LOCAL_NAMES.datasets, Key: 'incoming/dev-bob/planted/set.zip', Body: zip }));
    await session.cloud.s3Events.idle();
    const record = session.cloud.s3Events.records().find((r) => r.s3.object.key === 'incoming/dev-bob/planted/set.zip') as { userIdentity?: { principalId?: string } } | undefined;
    expect(record?.userIdentity?.principalId).toMatch(/^AWS:AIDA/); // S3 recorded who wrote it: not bob's upload session
    expect((await bob.request('GET', '/datasets/planted')).status).toBe(404);
    expect((await bob.expect<{ datasets: Dataset[] }>(200, 'GET', '/datasets')).datasets).toEqual([]);
  }, 30_000);

  it('files what bob puts with his own credentials under him, and records his session as the writer', async () => {
    const own = await toolingS3(bob);
    expect(own.prefix).toBe('incoming/dev-bob/');
    await own.s3.send(new PutObjectCommand({ Bucket: own.bucket, Key: `${own.prefix}mine/set.zip`, Body: zip }));
    await session.cloud.s3Events.idle();
    const record = session.cloud.s3Events.records().find((r) => r.s3.object.key === 'incoming/dev-bob/mine/set.zip') as { userIdentity?: { principalId?: string } } | undefined;
    expect(record?.userIdentity?.principalId).toMatch(/^AWS:AROA[A-Z2-7]{17}:dev-bob$/);
    const dataset = await bob.expect<Dataset>(200, 'GET', '/datasets/mine');
    expect(dataset.versions?.[0]).toMatchObject({ version: 1, source: 's3' });
  }, 40_000);

  it('uploads a large zip as a multipart upload (lib-storage) with the same credentials', async () => {
    const big = await makeDatasetZip({ images: 4, size: 300, extra: { 'raw/noise.bin': randomBytes(6 * 1024 * 1024) } });
    expect(big.length).toBeGreaterThan(5 * 1024 * 1024);
    const upload = new Upload({ client: alice.s3, params: { Bucket: alice.bucket, Key: `${alice.prefix}large/set.zip`, Body: big }, partSize: 5 * 1024 * 1024 });
    await upload.done();
    const decided = await session.feed.datasetVersion('large', 1, ['READY', 'INVALID'], 60_000);
    expect(decided).toMatchObject({ status: 'READY', sizeBytes: big.length });
  }, 90_000);
});
