import './handler-env';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { S3Event } from 'aws-lambda';
import JSZip from 'jszip';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { readyVersion, TRAINER_ID } from './handler-env';

vi.mock('../../functions/adapters/trainers', async () => {
  const { fallbackTrainers } = await import('../../functions/domain/trainer-catalog');
  return { listTrainers: async () => ({ source: 'fallback', trainers: fallbackTrainers }) };
});

const { handler } = await import('../../functions/handlers/validate-dataset');
const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
const versionKey = { PK: 'OWNER#alice', SK: 'DSV#ds1#000001' };

const jpeg = () => Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00, 0xff, 0xc0, 0x00, 0x11, 0x08, 0x04, 0x00, 0x04, 0x00, 0x03, 0, 0, 0, 0]);
async function datasetZip(images: number): Promise<Buffer> {
  const zip = new JSZip();
  for (let i = 0; i < images; i++) zip.file(`img${i}.jpg`, jpeg()).file(`img${i}.txt`, `a photo of tok ${i}`);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' });
}

const s3Event = (key: string, size: number): S3Event => ({
  Records: [{ s3: { bucket: { name: 'datasets-test' }, object: { key, size } } } as never],
});

const updates = () => ddb.commandCalls(UpdateCommand).map((call) => call.args[0].input);
const written = (input: { ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> }) =>
  Object.fromEntries(Object.entries(input.ExpressionAttributeNames ?? {}).filter(([k]) => k.startsWith('#f'))
    .map(([k, field]) => [field, input.ExpressionAttributeValues?.[`:v${k.slice(2)}`]]));

beforeEach(() => {
  ddb.reset();
  s3.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(UpdateCommand).resolves({});
  ddb.on(PutCommand).resolves({});
});

describe('validating an uploaded dataset', () => {
  it('marks the version VALIDATING, then READY with its sha256, size and report', async () => {
    const zip = await datasetZip(5);
    ddb.on(GetCommand, { Key: versionKey }).resolves({ Item: { ...readyVersion(), status: 'UPLOADING', report: undefined } });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from(zip) }));

    await handler(s3Event('datasets/alice/ds1/v1/my+set.zip', zip.length));

    expect(s3.commandCalls(GetObjectCommand)[0]!.args[0].input).toMatchObject({ Bucket: 'datasets-test', Key: 'datasets/alice/ds1/v1/my set.zip' });
    const [validating, decided] = updates();
    expect(written(validating!)).toMatchObject({ status: 'VALIDATING' });
    const result = written(decided!);
    expect(result).toMatchObject({ status: 'READY', sizeBytes: zip.length, sha256: createHash('sha256').update(zip).digest('hex') });
    expect(result.report).toMatchObject({ images: 5, pairs: 5, errors: [], minWidth: 1024, minHeight: 1024 });
    expect((result.report as { fitsTrainers: string[] }).fitsTrainers).toContain(TRAINER_ID);
    expect(decided!.ConditionExpression).toContain('#status IN (:from0)');
  });

  it('marks a file that is not a zip INVALID with a reason', async () => {
    const junk = Buffer.from('this is a text file renamed to zip');
    ddb.on(GetCommand, { Key: versionKey }).resolves({ Item: { ...readyVersion(), status: 'UPLOADING', report: undefined } });
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from(junk) }));

    await handler(s3Event('datasets/alice/ds1/v1/set.zip', junk.length));
    const result = written(updates()[1]!);
    expect(result.status).toBe('INVALID');
    expect((result.report as { errors: { code: string }[] }).errors[0]!.code).toBe('ZIP_UNREADABLE');
  });

  it('ignores a duplicate event for a version already decided', async () => {
    ddb.on(GetCommand, { Key: versionKey }).resolves({ Item: readyVersion() });
    await handler(s3Event('datasets/alice/ds1/v1/set.zip', 100));
    expect(updates()).toHaveLength(0);
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('ignores a duplicate event that lost the race to start validating', async () => {
    ddb.on(GetCommand, { Key: versionKey }).resolves({ Item: { ...readyVersion(), status: 'UPLOADING' } });
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('conditional'), { name: 'ConditionalCheckFailedException' }));
    await handler(s3Event('datasets/alice/ds1/v1/set.zip', 100));
    expect(s3.commandCalls(GetObjectCommand)).toHaveLength(0);
  });

  it('records a version dropped straight into the bucket as source s3', async () => {
    const zip = await datasetZip(4);
    s3.on(GetObjectCommand).callsFake(() => ({ Body: Readable.from(zip) }));
    await handler(s3Event('datasets/alice/ds1/v1/set.zip', zip.length));
    const puts = ddb.commandCalls(PutCommand).map((call) => call.args[0].input.Item!);
    expect(puts).toContainEqual(expect.objectContaining({ SK: 'DSV#ds1#000001', source: 's3', status: 'UPLOADING' }));
    expect(written(updates().at(-1)!).status).toBe('READY');
  });
});
