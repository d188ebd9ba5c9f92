// The local S3's CORS, configured from the synthesized template's bucket rules: a browser on another origin reads a
// version's zip by byte ranges through a presigned GET (preflight, then 206 with Content-Range it may read); and
// the Range header read as S3 reads it (suffix ranges, one range per GET, headers S3 ignores), not as s3rver does.
import { join } from 'node:path';
import type { Server } from 'node:http';
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeServer, startServer } from '#local/http-util';
import { DEVELOPER_CREDENTIALS } from '#local/aws/local-credentials';
import { localBucketOf } from '#local/aws/iam';
import { corsXml } from '#local/aws/s3-cors';
import { s3UploadPolicyProxy } from '#local/aws/s3-upload-policy';
import { StackTemplate } from '#local/template';
import { localTemplate } from '#local/template-cache';
import { useTempDir } from '#support/temp-dir';

const BUCKET = 'loraworks-datasets';
const ORIGIN = 'http://localhost:5173';
const dir = useTempDir('loraworks-s3-cors-');
const body = Buffer.from(Array.from({ length: 4096 }, (_, i) => i % 251));
let s3rverServer: Server;
let front: Awaited<ReturnType<typeof startServer>>;
let url: string;
let client: S3Client;

beforeAll(async () => {
  const rules = new StackTemplate(await localTemplate()).bucketCorsRules()
    .filter((c) => localBucketOf({ table: 't', datasets: BUCKET, artifacts: 'a' }, c.bucket) === BUCKET).flatMap((c) => c.rules);
  const s3 = new S3rver({ silent: true, directory: join(dir(), 's3'), vhostBuckets: false, configureBuckets: [{ name: BUCKET, configs: [corsXml(rules)] }] });
  await s3.configureBuckets();
  const socketPath = join(dir(), 's3.sock');
  s3rverServer = await s3.listen(socketPath);
  front = await startServer(s3UploadPolicyProxy({ socketPath }, dir(), { authorize: () => ({ allowed: true }), region: 'us-east-1' }));
  client = new S3Client({ endpoint: front.url, region: 'us-east-1', forcePathStyle: true, credentials: DEVELOPER_CREDENTIALS });
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'validated/alice/ds1/v1/set.zip', Body: body }));
  url = await getSignedUrl(client, new GetObjectCommand({ Bucket: BUCKET, Key: 'validated/alice/ds1/v1/set.zip' }), { expiresIn: 3600 });
});
afterAll(async () => {
  await closeServer(front.server);
  await closeServer(s3rverServer);
});

describe('byte-range reads of the datasets bucket from a browser', () => {
  it('answers the preflight of a GET with a Range header from another origin', async () => {
    const res = await fetch(url, { method: 'OPTIONS', headers: { origin: ORIGIN, 'access-control-request-method': 'GET', 'access-control-request-headers': 'range' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-methods')).toMatch(/GET/);
    expect(res.headers.get('access-control-allow-headers')).toBe('range');
  });

  it('answers a Range GET 206 with exactly those bytes, Content-Range and the headers the page may read', async () => {
    const res = await fetch(url, { headers: { origin: ORIGIN, range: 'bytes=100-199' } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 100-199/${body.length}`);
    expect(res.headers.get('content-length')).toBe('100');
    expect(Buffer.from(await res.arrayBuffer()).equals(body.subarray(100, 200))).toBe(true);
    expect(res.headers.get('access-control-allow-origin')).toBeTruthy();
    const exposed = (res.headers.get('access-control-expose-headers') ?? '').split(',').map((h) => h.trim().toLowerCase());
    expect(exposed).toEqual(expect.arrayContaining(['content-range', 'content-length', 'etag']));
  });

  it('clamps a range past the end as S3 does', async () => {
    const res = await fetch(url, { headers: { origin: ORIGIN, range: `bytes=4000-9999` } });
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 4000-4095/${body.length}`);
    expect((await res.arrayBuffer()).byteLength).toBe(96);
  });
});

describe('a Range header, as S3 reads it', () => {
  const get = (range: string) => fetch(url, { headers: { range } });

  it('answers a suffix range with the last bytes, and the whole object when it asks for more', async () => {
    const res = await get('bytes=-22');
    expect(res.status).toBe(206);
    expect(res.headers.get('content-range')).toBe(`bytes 4074-4095/${body.length}`);
    expect(Buffer.from(await res.arrayBuffer()).equals(body.subarray(4074))).toBe(true);
    const all = await get('bytes=-99999');
    expect(all.status).toBe(206);
    expect(all.headers.get('content-range')).toBe(`bytes 0-4095/${body.length}`);
  });

  it('reads the end of an object with the SDK as a zip reader does (the end-of-central-directory search)', async () => {
    const answer = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'validated/alice/ds1/v1/set.zip', Range: 'bytes=-64' }));
    expect(answer.ContentRange).toBe(`bytes 4032-4095/${body.length}`);
    expect(Buffer.from(await answer.Body!.transformToByteArray()).equals(body.subarray(4032))).toBe(true);
  });

  it('refuses an empty suffix and a start past the end as InvalidRange (416)', async () => {
    for (const range of ['bytes=-0', 'bytes=5000-']) {
      const res = await get(range);
      expect(res.status, range).toBe(416);
      expect(await res.text()).toMatch(/<Code>InvalidRange<\/Code>/);
    }
  });

  it('ignores a header that is not one well-formed range and answers the whole object', async () => {
    for (const range of ['bytes=0-9,20-29', 'bytes=50-10', 'bytes=-', 'lines=1-2', 'bytes=abc']) {
      const res = await get(range);
      expect(res.status, range).toBe(200);
      expect((await res.arrayBuffer()).byteLength, range).toBe(body.length);
    }
  });
});
