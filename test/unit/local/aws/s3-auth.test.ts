// The local S3's front, driven by the real SDK against a real s3rver behind it: who signed (SigV4 header,
// presigned URL, POST policy) and whether they may (a fake authorize in place of LocalIam).
import { join } from 'node:path';
import type { Server } from 'node:http';
import {
  CompleteMultipartUploadCommand, CopyObjectCommand, CreateMultipartUploadCommand, DeleteObjectCommand, DeleteObjectsCommand,
  GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException, UploadPartCommand,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import S3rver from 's3rver';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { closeServer, startServer } from '#local/http-util';
import { DEVELOPER_CREDENTIALS, principalCredentials, sessionCredentials, type LocalCredentials } from '#local/aws/local-credentials';
import type { Authorize } from '#local/aws/iam';
import { s3UploadPolicyProxy } from '#local/aws/s3-upload-policy';
import { useTempDir } from '#support/temp-dir';

const BUCKET = 'auth-bucket';
const dir = useTempDir('loraworks-s3-auth-');
const reader = principalCredentials('reader');
const lister = principalCredentials('lister');

/** What each principal may do, as (action, resource prefix); the developer may do anything. */
const GRANTS: Record<string, [string, string][]> = {
  [reader.accessKeyId]: [['s3:GetObject', 'arn:aws:s3:::']], // any bucket's objects
  [lister.accessKeyId]: [['s3:GetObject', `arn:aws:s3:::${BUCKET}/`], ['s3:ListBucket', `arn:aws:s3:::${BUCKET}`], ['s3:DeleteObject', `arn:aws:s3:::${BUCKET}/mine/`]],
};
const CORS = '<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>GET</AllowedMethod><AllowedHeader>*</AllowedHeader></CORSRule></CORSConfiguration>';
let asked: string[] = [];
const authorize: Authorize = (accessKeyId, action, resource) => {
  asked.push(`${action} ${resource}`);
  if (accessKeyId === DEVELOPER_CREDENTIALS.accessKeyId) return { allowed: true };
  const allowed = (GRANTS[accessKeyId] ?? []).some(([a, prefix]) => a === action && resource.startsWith(prefix));
  return allowed ? { allowed: true } : { allowed: false, message: `${accessKeyId} may not ${action} on ${resource}` };
};

let s3rverServer: Server;
let front: Awaited<ReturnType<typeof startServer>>;
const client = (credentials: LocalCredentials) => new S3Client({ endpoint: front.url, region: 'us-east-1', forcePathStyle: true, credentials });
let developer: S3Client;

beforeAll(async () => {
  const s3 = new S3rver({ silent: true, directory: join(dir(), 's3'), vhostBuckets: false, configureBuckets: [{ name: BUCKET, configs: [CORS] }] });
  await s3.configureBuckets();
  const socketPath = join(dir(), 's3.sock');
  s3rverServer = await s3.listen(socketPath);
  front = await startServer(s3UploadPolicyProxy({ socketPath }, dir(), { authorize, region: 'us-east-1' }));
  developer = client(DEVELOPER_CREDENTIALS);
  await developer.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'present.txt', Body: 'hello' }));
});
afterAll(async () => {
  await closeServer(front.server);
  await closeServer(s3rverServer);
});
beforeEach(() => { asked = []; });

async function refusal(promise: Promise<unknown>): Promise<{ name: string; status?: number; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return { name: error.name, status: error.$metadata.httpStatusCode, message: error.message };
    throw error;
  }
  throw new Error('The request was accepted.');
}

describe('authentication', () => {
  it('refuses unsigned GET, PUT, DELETE and LIST with 403 AccessDenied, and stores or removes nothing', async () => {
    for (const [method, path] of [['GET', '/present.txt'], ['PUT', '/planted.txt'], ['DELETE', '/present.txt'], ['GET', '?list-type=2'], ['GET', '']] as const) {
      const res = await fetch(`${front.url}/${BUCKET}${path}`, { method, ...(method === 'PUT' ? { body: 'x' } : {}) });
      expect(res.status, `${method} ${path}`).toBe(403);
      const body = await res.text();
      expect(body).toContain('<Code>AccessDenied</Code>');
      expect(body).toMatch(/<RequestId>[^<]+<\/RequestId>/);
    }
    const { Contents = [] } = await developer.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(Contents.map((o) => o.Key)).toContain('present.txt');
    expect(Contents.map((o) => o.Key)).not.toContain('planted.txt');
  });

  it('accepts the developer key for put, get, list, copy, multipart and delete, with keys S3 must encode', async () => {
    const key = 'odd names/a b+c%d#é.txt';
    await developer.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'odd' }));
    expect(await (await developer.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString()).toBe('odd');
    expect((await developer.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'odd names/' }))).Contents?.map((o) => o.Key)).toEqual([key]);
    await developer.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'copied.txt', CopySource: `${BUCKET}/present.txt` }));
    expect(asked).toContain(`s3:GetObject arn:aws:s3:::${BUCKET}/present.txt`);
    expect(asked).toContain(`s3:PutObject arn:aws:s3:::${BUCKET}/copied.txt`);
    const { UploadId } = await developer.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi.bin' }));
    const { ETag } = await developer.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'multi.bin', UploadId, PartNumber: 1, Body: 'part one' }));
    await developer.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'multi.bin', UploadId, MultipartUpload: { Parts: [{ ETag, PartNumber: 1 }] } }));
    expect(await (await developer.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'multi.bin' }))).Body!.transformToString()).toBe('part one');
    await developer.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
    expect((await developer.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'odd names/' }))).KeyCount).toBe(0);
  });

  it('refuses a key the local cloud never issued (InvalidAccessKeyId) and a wrong secret (SignatureDoesNotMatch)', async () => {
    const unknown = await refusal(client({ accessKeyId: 'AKIADUMMY', secretAccessKey: 'dummy' }).send(new ListObjectsV2Command({ Bucket: BUCKET })));
    expect(unknown).toMatchObject({ name: 'InvalidAccessKeyId', status: 403 });
    const wrong = await refusal(client({ accessKeyId: 'S3RVER', secretAccessKey: 'not-the-secret' }).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'present.txt' })));
    expect(wrong).toMatchObject({ name: 'SignatureDoesNotMatch', status: 403 });
  });

  it('accepts a presigned GET (with response headers) and refuses it expired or tampered with', async () => {
    const url = await getSignedUrl(developer, new GetObjectCommand({ Bucket: BUCKET, Key: 'present.txt', ResponseContentDisposition: 'attachment; filename="p.txt"' }), { expiresIn: 60 });
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-disposition')).toBe('attachment; filename="p.txt"');
    expect(await ok.text()).toBe('hello');

    const expired = await getSignedUrl(developer, new GetObjectCommand({ Bucket: BUCKET, Key: 'present.txt' }), { expiresIn: 1, signingDate: new Date(Date.now() - 10_000) });
    const late = await fetch(expired);
    expect(late.status).toBe(403);
    const body = await late.text();
    expect(body).toContain('<Code>AccessDenied</Code>');
    expect(body).toContain('<Message>Request has expired</Message>');

    const tampered = new URL(url);
    tampered.pathname = `/${BUCKET}/other.txt`;
    const forged = await fetch(tampered);
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
  });

  it("refuses a presigned GET once its session credentials have expired, whatever its own X-Amz-Expires says", async () => {
    const presign = (credentials: LocalCredentials) => getSignedUrl(client(credentials), new GetObjectCommand({ Bucket: BUCKET, Key: 'present.txt' }), { expiresIn: 6 * 3600 });
    const live = await fetch(await presign(sessionCredentials('reader', new Date(Date.now() + 3600_000))));
    expect(live.status).toBe(200);
    const ended = await fetch(await presign(sessionCredentials('reader', new Date(Date.now() - 1000))));
    expect(ended.status).toBe(400);
    expect(await ended.text()).toContain('<Code>ExpiredToken</Code>');
    const borrowed = { ...principalCredentials('lister'), sessionToken: sessionCredentials('reader', new Date(Date.now() + 3600_000)).sessionToken };
    const forged = await fetch(await presign(borrowed));
    expect(await forged.text()).toContain('<Code>InvalidToken</Code>');
    // A long-lived key (the dataset link signer's) carries no token, and its link lives its own X-Amz-Expires.
    expect((await fetch(await presign(reader))).status).toBe(200);
  });

  it('accepts a POST form signed with an issued key and refuses an unsigned or forged one', async () => {
    const post = async (fields: Record<string, string>) => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) form.append(k, v);
      form.append('file', new Blob(['form body']), 'f.txt');
      return fetch(`${front.url}/${BUCKET}`, { method: 'POST', body: form });
    };
    const signed = await createPresignedPost(developer, { Bucket: BUCKET, Key: 'form.txt', Expires: 60 });
    expect((await post(signed.fields)).status).toBe(204);
    expect(await (await developer.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'form.txt' }))).Body!.transformToString()).toBe('form body');

    const anonymous = await post({ key: 'anon.txt' });
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>');
    const forged = await post({ ...signed.fields, 'X-Amz-Signature': '0'.repeat(64) });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const foreign = await createPresignedPost(client({ accessKeyId: 'AKIADUMMY', secretAccessKey: 'dummy' }), { Bucket: BUCKET, Key: 'x.txt', Expires: 60 });
    const unknown = await post(foreign.fields);
    expect(unknown.status).toBe(403);
    expect(await unknown.text()).toContain('<Code>InvalidAccessKeyId</Code>');
  });

  it('leaves a CORS preflight anonymous, as S3 does', async () => {
    const res = await fetch(`${front.url}/${BUCKET}/present.txt`, { method: 'OPTIONS', headers: { origin: 'http://localhost:5173', 'access-control-request-method': 'GET' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });
});

describe('authorization', () => {
  it("refuses what the signer's principal may not do with 403 AccessDenied", async () => {
    const asReader = client(reader);
    expect(await (await asReader.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'present.txt' }))).Body!.transformToString()).toBe('hello');
    expect(await refusal(asReader.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'r.txt', Body: 'r' })))).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(asked).toContain(`s3:PutObject arn:aws:s3:::${BUCKET}/r.txt`);
    expect(await refusal(asReader.send(new ListObjectsV2Command({ Bucket: BUCKET })))).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(asked).toContain(`s3:ListBucket arn:aws:s3:::${BUCKET}`);
    expect(await refusal(asReader.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'present.txt' })))).toMatchObject({ name: 'AccessDenied' });
    expect(await refusal(asReader.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'c.txt', CopySource: `${BUCKET}/present.txt` })))).toMatchObject({ name: 'AccessDenied' });
    const { UploadId } = await developer.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'm.bin' }));
    expect(await refusal(asReader.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'm.bin', UploadId, PartNumber: 1, Body: 'x' })))).toMatchObject({ name: 'AccessDenied' });
    const form = await createPresignedPost(asReader, { Bucket: BUCKET, Key: 'rform.txt', Expires: 60 });
    const body = new FormData();
    for (const [k, v] of Object.entries(form.fields)) body.append(k, v);
    body.append('file', new Blob(['x']), 'x');
    const posted = await fetch(`${front.url}/${BUCKET}`, { method: 'POST', body });
    expect(posted.status).toBe(403);
    expect(await posted.text()).toContain('<Code>AccessDenied</Code>');
  });

  it('refuses a DeleteObjects naming any key the caller may not delete', async () => {
    await developer.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'mine/a.txt', Body: 'a' }));
    const asLister = client(lister);
    expect(await refusal(asLister.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'mine/a.txt' }, { Key: 'present.txt' }] } })))).toMatchObject({ name: 'AccessDenied' });
    expect(asked).toContain(`s3:DeleteObject arn:aws:s3:::${BUCKET}/present.txt`);
    await asLister.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'mine/a.txt' }] } }));
    expect(await refusal(developer.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'mine/a.txt' })))).toMatchObject({ status: 404 });
    expect((await developer.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'present.txt' }))).ContentLength).toBe(5);
  });

  it('answers a GET or HEAD of a missing key 404 NoSuchKey only to a caller with s3:ListBucket, 403 AccessDenied to others', async () => {
    expect(await refusal(client(lister).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'missing.txt' })))).toMatchObject({ name: 'NoSuchKey', status: 404 });
    expect(await refusal(client(reader).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'missing.txt' })))).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(await refusal(client(lister).send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'missing.txt' })))).toMatchObject({ status: 404 });
    expect(await refusal(client(reader).send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'missing.txt' })))).toMatchObject({ status: 403 });

    expect(await refusal(client(reader).send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'missing.txt' })))).toMatchObject({ name: 'NoSuchBucket', status: 404 });

    const head = await fetch(await getSignedUrl(client(reader), new HeadObjectCommand({ Bucket: BUCKET, Key: 'missing.txt' })), { method: 'HEAD' });
    expect(head.status).toBe(403);
    expect(await head.text()).toBe('');
  });
});
