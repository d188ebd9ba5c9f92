// POST /datasets/{datasetId}/versions (a version made from an edit): what it refuses (404, 409, 422 per name,
// nothing to change) without writing anything, and what it stores; then the derive function's outcomes on
// duplicate events, a source gone and additions that are not a zip (S3 and DynamoDB mocked).
import './handler-env';
import { CompleteMultipartUploadCommand, CreateMultipartUploadCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, UploadPartCommand } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { beforeEach, describe, expect, it } from 'vitest';
import { makePng } from '#support/png';
import { buildZip } from '#support/zip-writer';
import { deriveDatasetVersion } from '#app/derive-dataset-version';
import type { CreateDatasetVersionResponse, ErrorBody } from '#domain/schemas';
import { handler } from '#handlers/create-dataset-version';
import { context, httpEvent, parseBody } from './http-events';
import { datasetItem, readyVersion } from './handler-env';

const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);
const SOURCE_KEY = 'validated/alice/ds1/v1/set.zip';
const source = buildZip([
  { name: 'img0.png', data: makePng(32, 32, 0), method: 0 }, { name: 'img0.txt', data: 'zero' },
  { name: 'img1.png', data: makePng(32, 32, 1), method: 0 }, { name: 'img1.txt', data: 'one' },
  { name: 'img1_mask.png', data: makePng(32, 32, 11), method: 0 },
]);

function serve(objects: Record<string, Buffer>) {
  s3.on(HeadObjectCommand).callsFake(async ({ Key }: { Key: string }) => {
    if (!objects[Key]) throw Object.assign(new Error('NotFound'), { name: 'NotFound', $metadata: { httpStatusCode: 404 } });
    return { ETag: `"etag-${Key.length}"`, ContentLength: objects[Key].length };
  });
  s3.on(GetObjectCommand).callsFake(async ({ Key, Range }: { Key: string; Range?: string }) => {
    const body = objects[Key];
    if (!body) throw Object.assign(new Error('NoSuchKey'), { name: 'NoSuchKey' });
    const [start, end] = Range ? Range.replace('bytes=', '').split('-').map(Number) as [number, number] : [0, body.length - 1];
    return { ETag: `"etag-${Key.length}"`, Body: Readable.from([body.subarray(start, end + 1)]) };
  });
}

const withVersion = (patch: Record<string, unknown>) => ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DSV#ds1#000001' } }).resolves({ Item: { ...readyVersion(), ...patch } });
const post = (body: unknown) => handler(httpEvent({ path: { datasetId: 'ds1' }, body }), context);
const nothingWritten = () => {
  expect(ddb.commandCalls(PutCommand)).toHaveLength(0);
  expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);
  expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
};

beforeEach(() => {
  ddb.reset();
  s3.reset();
  ddb.on(GetCommand).resolves({});
  ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DS#ds1' } }).resolves({ Item: datasetItem });
  withVersion({ validatedKey: SOURCE_KEY, validatedETag: `etag-${SOURCE_KEY.length}`, sizeBytes: source.length });
  ddb.on(PutCommand).resolves({});
  ddb.on(UpdateCommand).resolves({ Attributes: { latestVersion: 2 } });
  s3.on(PutObjectCommand).resolves({});
  serve({ [SOURCE_KEY]: source });
});

describe('POST /datasets/{datasetId}/versions refuses', () => {
  it('an unknown dataset or version (404)', async () => {
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DS#ds1' } }).resolves({});
    const unknownDataset = await post({ from: 1, captions: { 'img0.png': 'x' } });
    expect(unknownDataset.statusCode).toBe(404);
    expect(parseBody<ErrorBody>(unknownDataset).error.code).toBe('DATASET_NOT_FOUND');

    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DS#ds1' } }).resolves({ Item: datasetItem });
    const unknownVersion = await post({ from: 7, captions: { 'img0.png': 'x' } });
    expect(unknownVersion.statusCode).toBe(404);
    expect(parseBody<ErrorBody>(unknownVersion).error).toMatchObject({ code: 'DATASET_VERSION_NOT_FOUND', details: [{ field: 'from', message: 'No version 7.' }] });
    nothingWritten();
  });

  it('a version that is not READY, or has no validated copy (409)', async () => {
    withVersion({ status: 'VALIDATING' });
    const validating = await post({ from: 1, captions: { 'img0.png': 'x' } });
    expect(validating.statusCode).toBe(409);
    expect(parseBody<ErrorBody>(validating).error.message).toMatch(/is VALIDATING; only a READY version can be edited/);

    withVersion({ validatedKey: undefined });
    const old = await post({ from: 1, captions: { 'img0.png': 'x' } });
    expect(old.statusCode).toBe(409);
    expect(parseBody<ErrorBody>(old).error.message).toMatch(/upload it again to edit it/);
    nothingWritten();
  });

  it('names that are not an image of the version, per name (422)', async () => {
    const response = await post({ from: 1, captions: { 'img0.png': 'ok', 'nope.png': 'x', 'img0.txt': 'a caption file', 'img1_mask.png': 'a mask' }, remove: ['img1.png', 'gone.jpg'] });
    expect(response.statusCode).toBe(422);
    const { error } = parseBody<ErrorBody>(response);
    expect(error.code).toBe('NO_SUCH_FILE');
    expect(error.details).toEqual([
      { field: 'captions.nope.png', message: expect.stringContaining('No such image in v1') },
      { field: 'captions.img0.txt', message: expect.stringContaining('No such image in v1') },
      { field: 'captions.img1_mask.png', message: expect.stringContaining('No such image in v1') },
      { field: 'remove[1]', message: expect.stringContaining('No such image in v1') },
    ]);
    const both = await post({ from: 1, captions: { 'img1.png': 'x' }, remove: ['img1.png'] });
    expect(parseBody<ErrorBody>(both).error.details).toEqual([{ field: 'captions.img1.png', message: 'img1.png is also in remove; either caption it or remove it.' }]);
    nothingWritten();
  });

  it('a caption that is not caption text (422 with its field)', async () => {
    const response = await post({ from: 1, captions: { 'img0.png': 'bell\u0007' } });
    expect(response.statusCode).toBe(422);
    expect(parseBody<ErrorBody>(response).error.details).toContainEqual({ field: 'captions.img0.png', message: expect.stringContaining('no other control characters') });
    nothingWritten();
  });

  it('an edit that changes nothing and adds nothing (422)', async () => {
    const response = await post({ from: 1, captions: {}, remove: [] });
    expect(response.statusCode).toBe(422);
    expect(parseBody<ErrorBody>(response).error).toMatchObject({ code: 'NOTHING_TO_CHANGE', message: expect.stringContaining('changes nothing and adds nothing') });
    nothingWritten();
  });
});

describe('POST /datasets/{datasetId}/versions accepts', () => {
  it('an edit: the next version UPLOADING derived from v1, and the edit request stored under edits/', async () => {
    const response = await post({ from: 1, captions: { 'img0.png': 'new zero' }, remove: ['img1.png'], source: 'cli' });
    expect(response.statusCode).toBe(202);
    expect(parseBody<CreateDatasetVersionResponse>(response)).toEqual({ version: 2 });
    expect(ddb.commandCalls(PutCommand)[0]!.args[0].input.Item).toMatchObject({ SK: 'DSV#ds1#000002', status: 'UPLOADING', derivedFrom: 1, source: 'cli', fileName: 'set.zip' });
    const stored = s3.commandCalls(PutObjectCommand)[0]!.args[0].input;
    expect(stored.Key).toBe('edits/alice/ds1/v2.json');
    expect(JSON.parse(String(stored.Body))).toEqual({ from: 1, sourceKey: SOURCE_KEY, sourceETag: `etag-${SOURCE_KEY.length}`, fileName: 'set.zip', captions: { 'img0.png': 'new zero' }, remove: ['img1.png'] });
  });

  it('additions: a presigned POST for a .zip under additions/, of any size up to the upload cap', async () => {
    const { upload } = parseBody<CreateDatasetVersionResponse>(await post({ from: 1, addUpload: true }));
    expect(upload!.fields.key).toBe('additions/alice/ds1/v2/additions.zip');
    const policy = JSON.parse(Buffer.from(upload!.fields.Policy!, 'base64').toString()) as { conditions: unknown[] };
    expect(policy.conditions).toContainEqual(['content-length-range', 1, expect.any(Number)]);
  });
});

describe('the derive function', () => {
  const edit = { from: 1, sourceKey: SOURCE_KEY, sourceETag: `etag-${SOURCE_KEY.length}`, fileName: 'set.zip', captions: { 'img0.png': 'new zero' }, remove: ['img1.png'] };
  const serveEdit = (patch: Record<string, unknown> = {}, more: Record<string, Buffer> = {}) =>
    serve({ [SOURCE_KEY]: source, 'edits/alice/ds1/v2.json': Buffer.from(JSON.stringify({ ...edit, ...patch })), ...more });
  const failure = () => ddb.commandCalls(UpdateCommand).map((c) => c.args[0].input).find((u) => String(u.UpdateExpression).includes(':invalid'));
  beforeEach(() => {
    s3.on(CreateMultipartUploadCommand).resolves({ UploadId: 'u1' });
    s3.on(UploadPartCommand).resolves({ ETag: '"p"' });
    s3.on(CompleteMultipartUploadCommand).resolves({});
  });

  it('writes the new zip at the version\'s upload key once; a duplicate event derives nothing', async () => {
    serveEdit();
    expect(await deriveDatasetVersion('alice', 'ds1', 2)).toBe('derived');
    const written = [...s3.commandCalls(PutObjectCommand), ...s3.commandCalls(CreateMultipartUploadCommand)].map((c) => c.args[0].input.Key);
    expect(written).toEqual(['datasets/alice/ds1/v2/set.zip']);

    s3.resetHistory();
    ddb.on(UpdateCommand).rejects(Object.assign(new Error('conditional'), { name: 'ConditionalCheckFailedException' }));
    expect(await deriveDatasetVersion('alice', 'ds1', 2)).toBe('duplicate');
    expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  });

  it('waits for the additions zip, and ends INVALID saying what to do when it is not a zip', async () => {
    serveEdit({ addUpload: true });
    expect(await deriveDatasetVersion('alice', 'ds1', 2)).toBe('waiting');
    expect(ddb.commandCalls(UpdateCommand)).toHaveLength(0);

    serveEdit({ addUpload: true }, { 'additions/alice/ds1/v2/additions.zip': Buffer.from('these are not the files you are looking for') });
    expect(await deriveDatasetVersion('alice', 'ds1', 2)).toBe('failed');
    const report = failure()!.ExpressionAttributeValues![':report'] as { errors: { code: string; message: string }[] };
    expect(report.errors[0]).toMatchObject({ code: 'ADDITIONS_NOT_A_ZIP', message: expect.stringContaining('post a .zip of the files to add') });
  });

  it('ends INVALID when the source zip is gone or replaced', async () => {
    serveEdit({ sourceETag: 'an-older-upload' });
    expect(await deriveDatasetVersion('alice', 'ds1', 2)).toBe('failed');
    const report = failure()!.ExpressionAttributeValues![':report'] as { errors: { code: string; message: string }[] };
    expect(report.errors[0]).toMatchObject({ code: 'DERIVE_SOURCE_GONE', message: expect.stringContaining('Upload the dataset again') });
    expect(s3.commandCalls(CreateMultipartUploadCommand)).toHaveLength(0);
  });
});
