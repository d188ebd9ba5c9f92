// The local S3 front checks a presigned POST form as S3 does: every condition of its policy, every field named by
// one, the size before the body is buffered. Forms are made by the SDK's createPresignedPost, as the API makes them.
import { mkdtemp, rm } from 'node:fs/promises';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { receivePostForm, s3UploadPolicyProxy } from '#local/aws/s3-upload-policy';
import { closeServer, startServer } from '#local/http-util';

const BUCKET = 'uploads';
const KEY = 'datasets/o/d/v1/my set.zip';
const credentials = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
let dir: string;
let s3rver: S3rver;
let front: { server: Server; url: string };
let s3: S3Client;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'loraworks-post-policy-'));
  s3rver = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: join(dir, 's3'), configureBuckets: [{ name: BUCKET }, { name: 'other' }] });
  const { port } = await s3rver.run();
  front = await startServer(s3UploadPolicyProxy({ host: '127.0.0.1', port }, dir));
  s3 = new S3Client({ endpoint: front.url, region: 'us-east-1', forcePathStyle: true, credentials });
});
afterAll(async () => {
  if (front) await closeServer(front.server);
  await s3rver?.close();
  await rm(dir, { recursive: true, force: true });
});

/** The form the API hands out: this key, exactly `size` bytes, Content-Type application/zip. */
async function apiForm(size: number, key = KEY): Promise<Record<string, string>> {
  const { fields } = await createPresignedPost(s3, { Bucket: BUCKET, Key: key, Conditions: [['content-length-range', size, size]], Fields: { 'Content-Type': 'application/zip' }, Expires: 3600 });
  return fields;
}
const policyOf = (policy: object) => Buffer.from(JSON.stringify(policy)).toString('base64');

async function post(fields: Record<string, string>, file: Uint8Array<ArrayBuffer>, bucket = BUCKET): Promise<{ status: number; text: string }> {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  form.append('file', new Blob([file]), 'f.zip');
  const res = await fetch(`${front.url}/${bucket}`, { method: 'POST', body: form });
  return { status: res.status, text: await res.text() };
}
const stored = async (key: string): Promise<string | null> =>
  s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key })).then((o) => o.Body!.transformToString(), () => null);
const message = (text: string) => /<Message>([^<]*)<\/Message>/.exec(text)?.[1]?.replace(/&quot;/g, '"');

describe('a presigned POST form', () => {
  it('as the API made it is stored', async () => {
    expect((await post(await apiForm(5), new TextEncoder().encode('hello'))).status).toBe(204);
    expect(await stored(KEY)).toBe('hello');
  });

  it('with field names in another case is stored (names are case-insensitive)', async () => {
    const fields = Object.fromEntries(Object.entries(await apiForm(3, 'case/x.zip')).map(([k, v]) => [k === 'key' ? 'key' : k.toUpperCase(), v]));
    expect((await post({ ...fields, 'x-ignore-note': 'anything' }, new TextEncoder().encode('abc'))).status).toBe(204);
    expect(await stored('case/x.zip')).toBe('abc');
  });

  it('is refused, with S3\'s message, when any condition fails or a field has none; nothing is stored', async () => {
    const fields = await apiForm(5, 'refused/x.zip');
    const file = new TextEncoder().encode('hello');
    const cases: [Record<string, string>, string, number?, string?][] = [
      [{ ...fields, key: 'refused/other.zip' }, 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "refused/x.zip"]'],
      [{ ...fields, 'Content-Type': 'text/html' }, 'Invalid according to Policy: Policy Condition failed: ["eq", "$Content-Type", "application/zip"]'],
      [{ ...fields, 'X-Amz-Date': '20300101T000000Z' }, `Invalid according to Policy: Policy Condition failed: ["eq", "$X-Amz-Date", "${fields['X-Amz-Date']}"]`],
      [{ ...fields, 'x-amz-meta-owner': 'mallory' }, 'Invalid according to Policy: Extra input fields: x-amz-meta-owner'],
      [{ ...fields, success_action_status: '201' }, 'Invalid according to Policy: Extra input fields: success_action_status'],
      [fields, `Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "${BUCKET}"]`, 403, 'other'],
    ];
    for (const [form, expected, status = 403, bucket] of cases) {
      const answer = await post(form, file, bucket);
      expect({ status: answer.status, message: message(answer.text) }).toEqual({ status, message: expected });
      expect(answer.text).toContain('<Code>AccessDenied</Code>');
    }
    const { fields: { 'X-Amz-Credential': _c, ...withoutCredential } } = { fields };
    expect(message((await post(withoutCredential, file)).text)).toBe(`Invalid according to Policy: Policy Condition failed: ["eq", "$X-Amz-Credential", "${fields['X-Amz-Credential']}"]`);
    expect(await stored('refused/x.zip')).toBeNull();
    expect(await stored('refused/other.zip')).toBeNull();
  });

  it('checks starts-with (every type of a Content-Type list), expiry and the policy document itself', async () => {
    const later = new Date(Date.now() + 3600_000).toISOString();
    const conditions = [{ bucket: BUCKET }, ['starts-with', '$key', 'user/eric/'], ['starts-with', '$Content-Type', 'image/']];
    const form = (key: string, type: string, policy: object = { expiration: later, conditions }) => ({ key, 'Content-Type': type, policy: policyOf(policy) });
    const file = new TextEncoder().encode('x');
    expect((await post(form('user/eric/a.png', 'image/png, image/jpeg'), file)).status).toBe(204);
    expect(message((await post(form('user/bob/a.png', 'image/png'), file)).text)).toBe('Invalid according to Policy: Policy Condition failed: ["starts-with", "$key", "user/eric/"]');
    expect(message((await post(form('user/eric/b.png', 'image/png, text/html'), file)).text)).toBe('Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]');
    const expired = await post(form('user/eric/c.png', 'image/png', { expiration: '2020-01-01T00:00:00Z', conditions }), file);
    expect({ status: expired.status, message: message(expired.text) }).toEqual({ status: 403, message: 'Invalid according to Policy: Policy expired.' });
    for (const [policy, expected] of [
      [{ conditions }, 'Invalid Policy: Policy missing expiration.'],
      [{ expiration: later }, 'Invalid Policy: Policy missing conditions.'],
      [{ expiration: later, conditions: [{ a: '1', b: '2' }] }, 'Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified.'],
    ] as const) {
      const answer = await post(form('user/eric/d.png', 'image/png', policy), file);
      expect({ status: answer.status, code: /<Code>(\w+)/.exec(answer.text)?.[1], message: message(answer.text) }).toEqual({ status: 400, code: 'InvalidPolicyDocument', message: expected });
    }
    expect(await stored('user/eric/a.png')).toBe('x');
    expect(await stored('user/bob/a.png')).toBeNull();
  });
});

/** A body of `total` bytes whose reads are counted: the form's fields, then a file part that never ends early. */
function countedBody(fields: Record<string, string>, total: number) {
  const boundary = 'XbOuNdArY';
  const head = Buffer.from(Object.entries(fields).map(([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`).join('')
    + `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.zip"\r\n\r\n`);
  const counter = { pulled: 0 };
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  const stream = new Readable({
    read() {
      const next = counter.pulled === 0 ? head : chunk;
      if (counter.pulled >= total) return void this.push(null);
      counter.pulled += next.length;
      this.push(next);
    },
  });
  return { stream, counter, boundary };
}

describe('the size of a POST form', () => {
  const MAX = 1024;
  const TOTAL = 64 * 1024 ** 2;

  it('is refused from its declared length, before the file is read', async () => {
    const { stream, counter, boundary } = countedBody(await apiForm(MAX), TOTAL);
    const result = await receivePostForm(stream, TOTAL, boundary, join(dir, 'spool-declared'));
    expect(result).toMatchObject({ refusal: { status: 400, code: 'EntityTooLarge', extra: expect.stringContaining(`<MaxSizeAllowed>${MAX}</MaxSizeAllowed>`) } });
    const proposed = Number(/<ProposedSize>(\d+)</.exec((result as { refusal: { extra: string } }).refusal.extra)![1]);
    expect(proposed).toBeGreaterThan(TOTAL - 64 * 1024);
    expect(counter.pulled).toBeLessThan(256 * 1024);
    expect(stream.destroyed).toBe(false);
  });

  it('without a declared length (chunked) is read only until more than the policy allows has arrived', async () => {
    const { stream, counter, boundary } = countedBody(await apiForm(MAX), TOTAL);
    const result = await receivePostForm(stream, undefined, boundary, join(dir, 'spool-chunked'));
    expect(result).toMatchObject({ refusal: { code: 'EntityTooLarge' } });
    // The fields, the 1 KiB the policy allows and the tail allowance, then a chunk or two the stream read ahead.
    expect(counter.pulled).toBeLessThan(512 * 1024);
  });

  it('is answered EntityTooLarge over the connection', async () => {
    const { stream, boundary } = countedBody(await apiForm(MAX), TOTAL);
    const res = await fetch(`${front.url}/${BUCKET}`, {
      method: 'POST', body: Readable.toWeb(stream) as ReadableStream, duplex: 'half',
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    } as RequestInit).catch((error: Error) => error);
    if (res instanceof Error) throw res;
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('<Code>EntityTooLarge</Code>');
  });
});
