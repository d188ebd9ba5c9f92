// Keys in the local S3 as S3 has them: stored literally (`..`, `.` and empty segments are characters of a key,
// never a path to resolve), and URL-encoded in event records exactly as S3 encodes them.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { get, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeEventKey, encodeEventKey } from '#local/aws/s3-event-keys';
import '#local/aws/s3-literal-keys';
import { s3UploadPolicyProxy } from '#local/aws/s3-upload-policy';
import { closeServer, startServer } from '#local/http-util';
import { decodeEventKey as handlerDecodeEventKey } from '#domain/datasets';

const BUCKET = 'keys';
let dir: string;
let server: S3rver;
let s3: S3Client;
let front: { server: Server; url: string };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loraworks-s3-keys-'));
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3'), configureBuckets: [{ name: BUCKET }] });
  const { port } = await server.run();
  // Through the local cloud's own front, as every client reaches s3rver.
  front = await startServer(s3UploadPolicyProxy({ host: '127.0.0.1', port }, dir));
  s3 = new S3Client({ endpoint: front.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
});
afterAll(async () => {
  if (front) await closeServer(front.server);
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

async function filesUnder(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(folder, join(e.parentPath, e.name)));
}
const text = async (key: string) => (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
const put = (key: string, body: string) => s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));

describe('keys with dot segments and empty segments', () => {
  it('stores each as its own literal key, inside the bucket folder, and lists it back as it was written', async () => {
    const keys = ['b.txt', 'a/../b.txt', '../../escape.txt', 'a/./b.txt', 'a//b.txt', 'a/b.txt', '.hidden', '100%25/x%.txt'];
    for (const key of keys) await put(key, `content of ${key}`);
    for (const key of keys) expect(await text(key)).toBe(`content of ${key}`);

    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(listed.Contents!.map((o) => o.Key).sort()).toEqual([...keys].sort());
    const underA = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'a/.' }));
    expect(underA.Contents!.map((o) => o.Key).sort()).toEqual(['a/../b.txt', 'a/./b.txt']);
    const folders = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
    expect(folders.CommonPrefixes!.map((p) => p.Prefix).sort()).toEqual(['../', '100%25/', 'a/']);

    // Nothing was written outside the bucket's folder.
    expect((await filesUnder(dir)).every((f) => f.startsWith(join('s3', BUCKET) + '/'))).toBe(true);
  });

  it('deletes a dot-segment key without touching the bucket folder or any other key', async () => {
    await put('solo/../only.txt', 'x');
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'solo/../only.txt' }));
    await expect(text('solo/../only.txt')).rejects.toMatchObject({ name: 'NoSuchKey' });
    expect(await text('b.txt')).toBe('content of b.txt');
    expect(await text('a/../b.txt')).toBe('content of a/../b.txt');
  });

  it('reads a key sent percent-escaped (`%2E%2E`) as the same literal key', async () => {
    // fetch (like any WHATWG URL) would resolve `%2E%2E` itself; node:http sends a path given apart as it is.
    const body = await new Promise<{ status?: number; text: string }>((resolve, reject) => {
      get({ host: '127.0.0.1', port: new URL(front.url).port, path: `/${BUCKET}/a/%2E%2E/b.txt` }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (c: string) => (text += c)).on('end', () => resolve({ status: res.statusCode, text }));
      }).on('error', reject);
    });
    expect(body).toEqual({ status: 200, text: 'content of a/../b.txt' });
  });
});

describe('multipart upload ids', () => {
  it('an id s3rver never made (a path) names no upload, and writes nothing outside the bucket', async () => {
    const res = await fetch(`${front.url}/${BUCKET}/x.bin?partNumber=1&uploadId=${encodeURIComponent('../../../../escape')}`, { method: 'PUT', body: 'part' });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain('<Code>NoSuchUpload</Code>');
    expect((await filesUnder(dir)).every((f) => f.startsWith(join('s3', BUCKET) + '/'))).toBe(true);
  });
});

describe('keys in S3 event records', () => {
  it('are form-encoded as S3 encodes them, slashes kept, and decode back with the handlers\' decoding', () => {
    const cases: [string, string][] = [
      ['incoming/o/d/my set.zip', 'incoming/o/d/my+set.zip'],
      ['a+b.zip', 'a%2Bb.zip'],
      ['100%.zip', '100%25.zip'],
      ['set#1.zip', 'set%231.zip'],
      ['dt=2018-05-04/_SUCCESS', 'dt%3D2018-05-04/_SUCCESS'],
      ['test/10:47:07.log', 'test/10%3A47%3A07.log'],
      ['ünï 日本.zip', '%C3%BCn%C3%AF+%E6%97%A5%E6%9C%AC.zip'],
      ['a-b_c.d*e~f(g)', 'a-b_c.d*e%7Ef%28g%29'],
    ];
    for (const [key, encoded] of cases) {
      expect(encodeEventKey(key)).toBe(encoded);
      expect(decodeEventKey(encoded)).toBe(key);
      expect(handlerDecodeEventKey(encoded)).toBe(key);
    }
    expect(decodeEventKey('bad%zz')).toBeNull();
  });
});
