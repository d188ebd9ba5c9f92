import './handler-env';
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { S3Event } from 'aws-lambda';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { makePng } from '#support/png';
import { buildZip } from '#support/zip-writer';
import { logger } from '#adapters/logger';
import { TRAINER_ID } from './handler-env';

vi.mock('#adapters/trainers', async () => {
  const { fallbackTrainers } = await import('#domain/trainer-catalog');
  return { listTrainers: async () => ({ source: 'fallback', trainers: fallbackTrainers }), getTrainer: async (id: string) => fallbackTrainers.find((t) => t.id === id) };
});

const { handler } = await import('#handlers/validate-dataset');
const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
const KEY = 'datasets/alice/ds1/v1/set.zip';
const zip = buildZip(Array.from({ length: 5 }, (_, i) => [
  { name: `img${i}.png`, data: makePng(64, 64, i), method: 0 }, { name: `img${i}.txt`, data: `a photo of tok ${i}` },
]).flat());
const ETAG = 'abc123';
const conditionFailed = () => Object.assign(new Error('conditional'), { name: 'ConditionalCheckFailedException' });

const s3Event = (key = KEY, eTag = ETAG, principalId?: string): S3Event => ({
  Records: [{ ...(principalId ? { userIdentity: { principalId } } : {}), s3: { bucket: { name: 'datasets-test' }, object: { key, size: zip.length, eTag, sequencer: '0A1' } } } as never],
});
/** What S3 records for a put with alice's upload credentials (a session of the tooling-upload role named after her). */
const ALICE_UPLOADS = 'AWS:AROAUPLOADROLETEST:alice';
const version = (patch: Record<string, unknown> = {}) => ({
  PK: 'OWNER#alice', SK: 'DSV#ds1#000001', type: 'DatasetVersion', owner: 'alice', datasetId: 'ds1', version: 1,
  status: 'UPLOADING', sizeBytes: zip.length, fileName: 'set.zip', source: 'web', createdAt: '2025-01-01T00:00:00.000Z', ...patch,
});

/** The log lines printed at WARN and above while `run` ran. */
async function warningsOf(run: () => Promise<unknown>): Promise<string[]> {
  const printed: string[] = [];
  const spies = [process.stdout, process.stderr].map((stream) => vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
    printed.push(String(chunk));
    return true;
  }) as typeof stream.write));
  logger.setLogLevel('WARN');
  try {
    await run();
  } finally {
    logger.setLogLevel('SILENT');
    spies.forEach((spy) => spy.mockRestore());
  }
  return printed.join('').split('\n').filter(Boolean);
}

const updates = () => ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
const decided = () => updates().find((u) => String(u.ConditionExpression).includes('objectETag = :etag') && String(u.UpdateExpression).includes('REMOVE leaseUntil'));
const fieldsOf = (input: { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> }) =>
  Object.fromEntries(Object.entries(input.ExpressionAttributeNames ?? {}).filter(([k]) => k.startsWith('#f'))
    .map(([k, field]) => [field, input.ExpressionAttributeValues?.[`:v${k.slice(2)}`]]));

function serveZip(body: Buffer = zip) {
  s3.on(HeadObjectCommand).resolves({ ETag: `"${ETAG}"`, ContentLength: body.length });
  s3.on(GetObjectCommand).callsFake(async (input: { Key: string; Range?: string }) => {
    if (input.Key.endsWith('.train.json')) throw Object.assign(new Error('no sidecar'), { name: 'NoSuchKey' });
    const [start, end] = input.Range ? input.Range.replace('bytes=', '').split('-').map(Number) as [number, number] : [0, body.length - 1];
    return { ETag: `"${ETAG}"`, Body: Readable.from([body.subarray(start, end + 1)]) };
  });
}

beforeEach(() => {
  ddb.reset();
  s3.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(PutCommand).resolves({});
  ddb.on(QueryCommand).resolves({ Items: [] });
  ddb.on(UpdateCommand).resolves({ Attributes: { attempts: 1 } });
  s3.on(CopyObjectCommand).resolves({ CopyObjectResult: { ETag: `"${ETAG}"` } });
});

describe('validating an uploaded dataset', () => {
  it('claims the version under a lease, then decides it READY with its sha256, size and report', async () => {
    serveZip();
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DSV#ds1#000001' } }).resolves({ Item: version() });
    await handler(s3Event());

    const claim = updates().find((u) => String(u.UpdateExpression).includes('leaseUntil = :lease'))!;
    expect(claim.ConditionExpression).toContain('#status = :uploading OR (#status = :validating AND leaseUntil < :now)');
    const result = fieldsOf(decided()!);
    expect(result).toMatchObject({ status: 'READY', sizeBytes: zip.length, sha256: createHash('sha256').update(zip).digest('hex') });
    expect(result.report).toMatchObject({ images: 5, pairs: 5, errors: [] });
    expect((result.report as { fitsTrainers: string[] }).fitsTrainers).toContain(TRAINER_ID);
    // One ranged read of the tail (a small zip is all tail): the object is not read twice.
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(1);
    // The validated object, and only it (If-Match its ETag), is copied where no upload policy can write.
    expect(s3.commandCalls(CopyObjectCommand).map((call) => call.args[0].input)).toEqual([
      expect.objectContaining({ Key: 'validated/alice/ds1/v1/set.zip', CopySource: 'datasets-test/datasets/alice/ds1/v1/set.zip', CopySourceIfMatch: `"${ETAG}"` }),
    ]);
    expect(result).toMatchObject({ validatedKey: 'validated/alice/ds1/v1/set.zip', validatedETag: ETAG });
    // The manifest of the files, from the same pass, is stored beside the version before its verdict.
    const [put] = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(put).toMatchObject({ Bucket: 'datasets-test', Key: 'manifests/alice/ds1/v1.json.gz' });
    const { files } = JSON.parse(gunzipSync(put!.Body as Buffer).toString()) as { files: { name: string; kind: string; caption?: string }[] };
    expect(files).toHaveLength(10);
    expect(files[0]).toMatchObject({ name: 'img0.png', kind: 'image', caption: 'a photo of tok 0', captionFile: 'img0.txt', width: 64, height: 64 });
  });

  it('marks the version INVALID when its object was replaced before the validated copy was made', async () => {
    serveZip();
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DSV#ds1#000001' } }).resolves({ Item: version() });
    s3.on(CopyObjectCommand).rejects(Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), { name: 'PreconditionFailed', $metadata: { httpStatusCode: 412 } }));
    await handler(s3Event());
    const result = fieldsOf(decided()!);
    expect(result.status).toBe('INVALID');
    expect(result.report).toMatchObject({ errors: [expect.objectContaining({ code: 'OBJECT_REPLACED' })] });
    expect(result.validatedKey).toBeUndefined();
  });

  it('marks a file that is not a zip INVALID with a reason', async () => {
    serveZip(Buffer.from('this is a text file renamed to zip'));
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DSV#ds1#000001' } }).resolves({ Item: version() });
    await handler(s3Event());
    const result = fieldsOf(decided()!);
    expect(result.status).toBe('INVALID');
    expect((result.report as { errors: { code: string }[] }).errors[0]!.code).toBe('ZIP_UNREADABLE');
    // An INVALID version has a manifest too: here no file could be read.
    const [put] = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(JSON.parse(gunzipSync(put!.Body as Buffer).toString())).toEqual({ files: [] });
  });
});

describe('duplicate, late and retried events', () => {
  it('does nothing for a duplicate whose version is decided or being validated (the claim fails)', async () => {
    serveZip();
    ddb.on(PutCommand).rejects(conditionFailed()); // the object marker exists
    ddb.on(GetCommand).resolves({ Item: { claimedAt: Date.now(), version: 1 } });
    ddb.on(UpdateCommand).rejects(conditionFailed()); // the lease is held, or the version decided
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DSV#ds1#000001' } }).resolves({ Item: version({ status: 'VALIDATING', objectETag: ETAG, leaseUntil: Date.now() + 60_000 }) });
    await handler(s3Event());
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('ignores a duplicate that arrives while the first delivery is still recording the object', async () => {
    serveZip();
    ddb.on(PutCommand).rejects(conditionFailed());
    ddb.on(GetCommand).resolves({ Item: { claimedAt: Date.now() } });
    await handler(s3Event());
    expect(updates()).toHaveLength(0);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('ignores a late event whose object was replaced since (its ETag is no longer the object’s)', async () => {
    serveZip();
    await handler(s3Event(KEY, 'an-older-etag'));
    expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
    expect(updates()).toHaveLength(0);
  });

  it('releases the lease and throws on a transient read error, so Lambda’s retry validates again', async () => {
    s3.on(HeadObjectCommand).resolves({ ETag: `"${ETAG}"`, ContentLength: zip.length });
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }));
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DSV#ds1#000001' } }).resolves({ Item: version() });
    await expect(handler(s3Event())).rejects.toThrow(/slow down/);
    expect(updates().some((u) => u.UpdateExpression === 'SET leaseUntil = :zero')).toBe(true);
    expect(decided()).toBeUndefined();
  });

  it('ends INVALID with a message on the last attempt instead of leaving the version VALIDATING', async () => {
    s3.on(HeadObjectCommand).resolves({ ETag: `"${ETAG}"`, ContentLength: zip.length });
    s3.on(GetObjectCommand).rejects(Object.assign(new Error('slow down'), { name: 'SlowDown', $metadata: { httpStatusCode: 503 } }));
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DSV#ds1#000001' } }).resolves({ Item: version({ status: 'VALIDATING', objectETag: ETAG, leaseUntil: 0, attempts: 2 }) });
    ddb.on(UpdateCommand).resolves({ Attributes: { attempts: 3 } });
    await handler(s3Event());
    const result = fieldsOf(decided()!);
    expect(result.status).toBe('INVALID');
    expect((result.report as { errors: { code: string; message: string }[] }).errors[0]).toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('direct uploads', () => {
  it('records an incoming/ zip as a new version of source s3 and copies its bytes to the version’s validated key', async () => {
    serveZip();
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DS#faces' } }).resolves({ Item: { id: 'faces', name: 'faces' } });
    ddb.on(UpdateCommand).callsFake(async (input: { UpdateExpression?: string }) => (input.UpdateExpression === 'ADD latestVersion :one' ? { Attributes: { latestVersion: 4 } } : { Attributes: { attempts: 1 } }));
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DSV#faces#000004' } }).resolves({ Item: version({ version: 4, SK: 'DSV#faces#000004', datasetId: 'faces', source: 's3' }) });
    await handler(s3Event('incoming/alice/faces/set.zip', ETAG, ALICE_UPLOADS));
    const puts = ddb.commandCalls(PutCommand).map((call) => call.args[0].input.Item!);
    expect(puts).toContainEqual(expect.objectContaining({ SK: 'DSV#faces#000004', source: 's3', status: 'UPLOADING', objectKey: 'incoming/alice/faces/set.zip' }));
    expect(s3.commandCalls(CopyObjectCommand)[0]!.args[0].input).toMatchObject({ Key: 'validated/alice/faces/v4/set.zip', CopySourceIfMatch: `"${ETAG}"` });
    expect(fieldsOf(decided()!).status).toBe('READY');
  });

  it.each([
    ['no recorded writer', undefined],
    ['the account\'s own key', 'AWS:AIDAEXAMPLEDEVELOPER'],
    ['another owner\'s upload session', 'AWS:AROAUPLOADROLETEST:bob'],
    ['another role\'s session named alice', 'AWS:AROAOTHERROLE:alice'],
  ])('makes no version of an incoming/ zip written by %s, and says why and what to do', async (_name, writer) => {
    serveZip();
    const printed = await warningsOf(() => handler(s3Event('incoming/alice/faces/set.zip', ETAG, writer)));
    expect(ddb.commandCalls(PutCommand)).toEqual([]);
    expect(ddb.commandCalls(UpdateCommand)).toEqual([]);
    expect(s3.commandCalls(HeadObjectCommand)).toEqual([]);
    const refusal = printed.find((line) => line.includes('Refused a direct upload'));
    expect(refusal).toContain('incoming/alice/faces/set.zip');
    expect(refusal).toContain('POST /upload-credentials');
  });

  it('starts nothing for a sidecar under incoming/ that the owner\'s session did not write', async () => {
    const printed = await warningsOf(() => handler(s3Event('incoming/alice/faces/set.zip.train.json', ETAG, 'AWS:AROAUPLOADROLETEST:bob')));
    expect(s3.commandCalls(GetObjectCommand)).toEqual([]);
    expect(ddb.calls()).toEqual([]);
    expect(printed.some((line) => line.includes('Refused a direct upload'))).toBe(true);
  });
});
