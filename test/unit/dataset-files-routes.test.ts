// GET /datasets/{id}/versions/{v}/files (and …/diff): what they answer and what they refuse (S3 and the table mocked).
import './handler-env';
import { GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { beforeEach, describe, expect, it } from 'vitest';
import type { DatasetDiff, DatasetFile, DatasetFileList, ErrorBody } from '#domain/schemas';
import { handler as diffVersions } from '#handlers/diff-dataset-versions';
import { handler as listFiles } from '#handlers/list-dataset-files';
import { RESPONSE_QUOTA_BYTES } from '#local/aws/lambda-runtime';
import { context, httpEvent, parseBody } from './http-events';

const ddb = mockClient(DynamoDBDocumentClient);
const s3 = mockClient(S3Client);

const file = (name: string, fields: Partial<DatasetFile> = {}): DatasetFile => ({
  name, kind: 'image', sizeBytes: 100, width: 512, height: 512, contentHash: 'a'.repeat(64), findings: [],
  zip: { headerOffset: 0, dataOffset: 40, compressedSize: 100, method: 'stored', crc32: 1 }, ...fields,
});
const versionItem = (version: number, fields: Record<string, unknown>) => ({
  PK: 'OWNER#alice', SK: `DSV#ds1#${String(version).padStart(6, '0')}`, type: 'DatasetVersion', owner: 'alice', datasetId: 'ds1', version,
  sizeBytes: 1000, fileName: 'set.zip', source: 'web', createdAt: '2026-12-01T00:00:00.000Z', ...fields,
});
const withVersion = (version: number, fields: Record<string, unknown> | undefined) =>
  ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: `DSV#ds1#${String(version).padStart(6, '0')}` } }).resolves({ Item: fields && versionItem(version, fields) });
const manifests = new Map<string, DatasetFile[]>();
const files = (version: string, owner = 'alice', query?: Record<string, string>) =>
  listFiles(httpEvent({ owner, path: { datasetId: 'ds1', version }, ...(query ? { query } : {}) }), context);

beforeEach(() => {
  ddb.reset();
  s3.reset();
  manifests.clear();
  ddb.on(GetCommand).resolves({});
  s3.on(GetObjectCommand).callsFake(async (input: { Key: string }) => {
    const listed = manifests.get(input.Key);
    if (!listed) throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey', $metadata: { httpStatusCode: 404 } });
    return { Body: Readable.from([gzipSync(JSON.stringify({ files: listed }))]) };
  });
});

describe('GET /datasets/{datasetId}/versions/{version}/files', () => {
  it('answers a READY version’s files and a presigned GET (1 hour) of its validated copy', async () => {
    withVersion(2, { status: 'READY', validatedKey: 'validated/alice/ds1/v2/set.zip', validatedETag: 'e2', objectKey: 'datasets/alice/ds1/v2/set.zip', objectETag: 'e1' });
    manifests.set('manifests/alice/ds1/v2.json.gz', [file('a.png', { caption: 'ohwx', captionFile: 'a.txt' }), file('a.txt', { kind: 'caption' })]);
    const response = await files('2');
    expect(response.statusCode).toBe(200);
    const body = parseBody<DatasetFileList>(response);
    expect(body.files.map((f) => f.name)).toEqual(['a.png', 'a.txt']);
    expect(body.files[0]).toMatchObject({ caption: 'ohwx', captionFile: 'a.txt', zip: { dataOffset: 40, method: 'stored' } });
    const url = new URL(body.url!);
    expect(url.pathname).toContain('/validated/alice/ds1/v2/set.zip');
    expect(url.searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(url.searchParams.get('response-content-disposition')).toBeNull();
    expect(Date.parse(body.expiresAt!) - Date.now()).toBeGreaterThan(3500_000);
  });

  it('links an INVALID version’s upload only while it still holds the bytes that were validated', async () => {
    withVersion(3, { status: 'INVALID', objectKey: 'datasets/alice/ds1/v3/set.zip', objectETag: 'e3' });
    manifests.set('manifests/alice/ds1/v3.json.gz', [file('a.png', { findings: [{ code: 'IMAGE_TOO_SMALL', message: 'too small', file: 'a.png' }] })]);
    s3.on(HeadObjectCommand).resolves({ ETag: '"e3"' });
    const held = parseBody<DatasetFileList>(await files('3'));
    expect(held.files[0]!.findings[0]!.code).toBe('IMAGE_TOO_SMALL');
    expect(new URL(held.url!).pathname).toContain('/datasets/alice/ds1/v3/set.zip');
    s3.on(HeadObjectCommand).resolves({ ETag: '"another"' });
    const replaced = parseBody<DatasetFileList>(await files('3'));
    expect(replaced.files).toHaveLength(1);
    expect(replaced.url).toBeUndefined();
  });

  it('refuses a version still uploading or validating (409 saying to wait), and one without a file list (409 saying what to do)', async () => {
    withVersion(4, { status: 'VALIDATING' });
    const validating = await files('4');
    expect(validating.statusCode).toBe(409);
    expect(parseBody<ErrorBody>(validating).error).toMatchObject({ code: 'VERSION_NOT_DECIDED', message: expect.stringMatching(/being validated.*READY or INVALID/) });
    withVersion(5, { status: 'UPLOADING' });
    expect(parseBody<ErrorBody>(await files('5')).error.message).toMatch(/still uploading/);
    withVersion(1, { status: 'READY', validatedKey: 'validated/alice/ds1/v1/set.zip' });
    const old = await files('1');
    expect(old.statusCode).toBe(409);
    expect(parseBody<ErrorBody>(old).error).toMatchObject({ code: 'NO_FILE_LIST', message: expect.stringMatching(/Upload the zip again, or derive a new version/) });
  });

  it('answers 404 for an unknown dataset or version (another owner’s too), and 422 for a version that is not a whole number', async () => {
    withVersion(2, { status: 'READY', validatedKey: 'validated/alice/ds1/v2/set.zip' });
    manifests.set('manifests/alice/ds1/v2.json.gz', [file('a.png')]);
    const unknownDataset = await files('2', 'bob');
    expect(unknownDataset.statusCode).toBe(404);
    expect(parseBody<ErrorBody>(unknownDataset).error.code).toBe('DATASET_NOT_FOUND');
    ddb.on(GetCommand, { Key: { PK: 'OWNER#alice', SK: 'DS#ds1' } }).resolves({ Item: { PK: 'OWNER#alice', SK: 'DS#ds1', id: 'ds1', name: 'Set', createdAt: '2026-12-01T00:00:00.000Z' } });
    const unknownVersion = await files('9');
    expect(unknownVersion.statusCode).toBe(404);
    expect(parseBody<ErrorBody>(unknownVersion).error).toMatchObject({ code: 'VERSION_NOT_FOUND', message: 'Dataset ds1 has no version 9.' });
    for (const bad of ['0', 'two', '1.5', '-1']) {
      const response = await files(bad);
      expect(response.statusCode).toBe(422);
      expect(parseBody<ErrorBody>(response).error.details).toContainEqual({ field: 'path.version', message: expect.stringMatching(/whole number from 1/) });
    }
  });
});

describe('GET …/files of a large version, in pages', () => {
  // 12,000 images with long captions: about 10 MB of JSON, more than one Lambda response may carry.
  const many = Array.from({ length: 12_000 }, (_, i) => file(`set/img${String(i).padStart(5, '0')}.png`, { caption: `a photo of ohwx, ${'detail '.repeat(80)}${i}` }));

  it('answers pages under Lambda’s response quota whose cursors lead through the whole manifest, each with the link', async () => {
    withVersion(2, { status: 'READY', validatedKey: 'validated/alice/ds1/v2/set.zip' });
    manifests.set('manifests/alice/ds1/v2.json.gz', many);
    const names: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const response = await files('2', 'alice', cursor ? { cursor } : undefined);
      expect(response.statusCode).toBe(200);
      expect(Buffer.byteLength(JSON.stringify(response)), 'the whole Lambda result').toBeLessThan(RESPONSE_QUOTA_BYTES);
      const page = parseBody<DatasetFileList>(response);
      expect(page.url).toContain('/validated/alice/ds1/v2/set.zip');
      names.push(...page.files.map((f) => f.name));
      cursor = page.cursor;
      pages += 1;
    } while (cursor);
    expect(pages).toBeGreaterThan(2);
    expect(names).toEqual(many.map((f) => f.name));
  });

  it('holds at most `limit` files a page, and refuses a cursor it did not issue (422 saying to start again)', async () => {
    withVersion(2, { status: 'READY', validatedKey: 'validated/alice/ds1/v2/set.zip' });
    manifests.set('manifests/alice/ds1/v2.json.gz', many.slice(0, 5));
    const first = parseBody<DatasetFileList>(await files('2', 'alice', { limit: '2' }));
    expect(first.files.map((f) => f.name)).toEqual([many[0]!.name, many[1]!.name]);
    const last = parseBody<DatasetFileList>(await files('2', 'alice', { limit: '3', cursor: first.cursor! }));
    expect(last.files).toHaveLength(3);
    expect(last.cursor).toBeUndefined();
    for (const cursor of ['nonsense', Buffer.from('{"from":5}').toString('base64url'), Buffer.from('{"from":0}').toString('base64url')]) {
      const refused = await files('2', 'alice', { cursor });
      expect(refused.statusCode, cursor).toBe(422);
      expect(parseBody<ErrorBody>(refused).error).toMatchObject({ code: 'BAD_CURSOR', message: expect.stringMatching(/start the listing again without it/) });
    }
    expect((await files('2', 'alice', { limit: '5001' })).statusCode).toBe(422);
  });
});

describe('GET /datasets/{datasetId}/versions/{version}/diff', () => {
  const diff = (version: string, query?: Record<string, string>) => diffVersions(httpEvent({ path: { datasetId: 'ds1', version }, ...(query ? { query } : {}) }), context);
  beforeEach(() => {
    withVersion(1, { status: 'READY', validatedKey: 'k1' });
    withVersion(2, { status: 'READY', validatedKey: 'k2' });
    withVersion(3, { status: 'READY', validatedKey: 'k3', derivedFrom: 1 });
    manifests.set('manifests/alice/ds1/v1.json.gz', [file('a.png', { caption: 'old', captionFile: 'a.txt' }), file('a.txt', { kind: 'caption', contentHash: 'old' }), file('b.png')]);
    manifests.set('manifests/alice/ds1/v2.json.gz', [file('a.png'), file('b.png'), file('c.png')]);
    manifests.set('manifests/alice/ds1/v3.json.gz', [file('a.png', { caption: 'new', captionFile: 'a.txt' }), file('a.txt', { kind: 'caption', contentHash: 'new' })]);
  });

  it('compares with the version it was derived from by default, else the one before, or with ?from=', async () => {
    const derived = await diff('3');
    expect(derived.statusCode).toBe(200);
    expect(parseBody<DatasetDiff>(derived)).toEqual({ from: 1, to: 3, added: [], removed: ['b.png'], changed: [{ name: 'a.png', what: 'caption' }] });
    expect(parseBody<DatasetDiff>(await diff('2'))).toMatchObject({ from: 1, to: 2, added: ['c.png'], changed: [{ name: 'a.png', what: 'caption' }] });
    expect(parseBody<DatasetDiff>(await diff('3', { from: '2' }))).toMatchObject({ from: 2, to: 3, removed: ['b.png', 'c.png'] });
    expect(parseBody<DatasetDiff>(await diff('1'))).toEqual({ from: 0, to: 1, added: ['a.png', 'b.png'], removed: [], changed: [] });
    expect(parseBody<DatasetDiff>(await diff('2', { from: '2' }))).toEqual({ from: 2, to: 2, added: [], removed: [], changed: [] });
  });

  it('refuses an unknown `from` (404), one still validating (409), and a `from` that is not a version (422)', async () => {
    expect((await diff('3', { from: '9' })).statusCode).toBe(404);
    withVersion(4, { status: 'VALIDATING' });
    expect((await diff('4')).statusCode).toBe(409);
    expect((await diff('2', { from: '4' })).statusCode).toBe(409);
    const bad = await diff('2', { from: 'x' });
    expect(bad.statusCode).toBe(422);
    expect(parseBody<ErrorBody>(bad).error.details?.[0]?.field).toBe('query.from');
  });
});
