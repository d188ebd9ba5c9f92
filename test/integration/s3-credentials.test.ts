// The local S3 as a developer's own tools see it: the real AWS CLI works with the developer key the README
// names, and is refused with a dummy key or without signing; s3rver itself is reachable only through the front.
// A user's tooling gets its own credentials (POST /upload-credentials) and the AWS CLI puts with them, under the
// user's prefix only.
import { execFile } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadCredentials } from '#domain/schemas';
import { LOCAL_NAMES, startLocalCloud, type LocalCloud } from '#local/cloud';
import { LoraworksClient } from '#support/local-cloud-client';
import { useTempDir } from '#support/temp-dir';

const run = promisify(execFile);
const dataDir = useTempDir('loraworks-s3cli-');
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, dataDir: join(dataDir(), 'cloud') });
}, 60_000);
afterAll(() => cloud?.stop());

/** `aws <args>` against the local S3 with these keys, reading no profile of the machine's. */
async function aws(keys: { id: string; secret: string; token?: string } | 'unsigned', ...args: string[]) {
  const env = {
    PATH: process.env.PATH, HOME: dataDir(), AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_DEFAULT_REGION: 'us-east-1',
    ...(keys === 'unsigned' ? {} : { AWS_ACCESS_KEY_ID: keys.id, AWS_SECRET_ACCESS_KEY: keys.secret }),
    ...(keys !== 'unsigned' && keys.token ? { AWS_SESSION_TOKEN: keys.token } : {}),
  };
  const extra = keys === 'unsigned' ? ['--no-sign-request'] : [];
  return run('aws', ['--endpoint-url', cloud.s3Url, ...extra, ...args], { env }).then(
    ({ stdout, stderr }) => ({ ok: true, stdout, stderr }),
    (error: { stdout?: string; stderr?: string }) => ({ ok: false, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
  );
}

const DEVELOPER = { id: 'S3RVER', secret: 'S3RVER' };
const BUCKET = `s3://${LOCAL_NAMES.artifacts}`;

describe('the local S3 and the AWS CLI', () => {
  it('works with the developer key: cp up, ls, cp down, rm', async () => {
    const file = join(dataDir(), 'notes with spaces+plus.txt');
    await writeFile(file, 'from the CLI');
    const up = await aws(DEVELOPER, 's3', 'cp', file, `${BUCKET}/cli/notes with spaces+plus.txt`);
    expect(up.stderr).toBe('');
    expect(up.ok).toBe(true);
    const listed = await aws(DEVELOPER, 's3', 'ls', `${BUCKET}/cli/`);
    expect(listed.stdout).toContain('notes with spaces+plus.txt');
    const down = await aws(DEVELOPER, 's3', 'cp', `${BUCKET}/cli/notes with spaces+plus.txt`, '-');
    expect(down.stdout).toBe('from the CLI');
    expect((await aws(DEVELOPER, 's3', 'rm', `${BUCKET}/cli/notes with spaces+plus.txt`)).ok).toBe(true);
    expect((await aws(DEVELOPER, 's3', 'ls', `${BUCKET}/cli/`)).stdout).toBe('');
  }, 60_000);

  it('refuses a dummy key (InvalidAccessKeyId), a wrong secret (SignatureDoesNotMatch) and an unsigned request (AccessDenied)', async () => {
    const dummy = await aws({ id: 'AKIAIOSFODNN7EXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }, 's3', 'ls', `${BUCKET}/`);
    expect(dummy.ok).toBe(false);
    expect(dummy.stderr).toContain('InvalidAccessKeyId');
    const wrong = await aws({ id: 'S3RVER', secret: 'guess' }, 's3api', 'list-objects-v2', '--bucket', LOCAL_NAMES.artifacts);
    expect(wrong.ok).toBe(false);
    expect(wrong.stderr).toContain('SignatureDoesNotMatch');
    const unsigned = await aws('unsigned', 's3', 'ls', `${BUCKET}/`);
    expect(unsigned.ok).toBe(false);
    expect(unsigned.stderr).toContain('AccessDenied');
  }, 60_000);

  it('puts with a user\'s upload credentials (AWS_SESSION_TOKEN) under their prefix, and is refused elsewhere', async () => {
    const client = await LoraworksClient.signIn(cloud.apiUrl, 'cli');
    const answer = await client.expect<UploadCredentials>(201, 'POST', '/upload-credentials');
    const keys = { id: answer.credentials.accessKeyId, secret: answer.credentials.secretAccessKey, token: answer.credentials.sessionToken };
    const file = join(dataDir(), 'set.zip');
    await writeFile(file, 'not really a zip');
    const own = await aws(keys, 's3', 'cp', file, `s3://${answer.bucket}/${answer.prefix}cli-set/set.zip`);
    expect(own.stderr).toBe('');
    expect(own.ok).toBe(true);
    const other = await aws(keys, 's3', 'cp', file, `s3://${answer.bucket}/incoming/dev-someone/cli-set/set.zip`);
    expect(other.ok).toBe(false);
    expect(other.stderr).toContain('AccessDenied');
    const noToken = await aws({ id: keys.id, secret: keys.secret }, 's3', 'cp', file, `s3://${answer.bucket}/${answer.prefix}cli-set/set.zip`);
    expect(noToken.ok).toBe(false);
    expect(noToken.stderr).toContain('InvalidAccessKeyId');
  }, 60_000);

  it('keeps s3rver off the network: it listens on a socket only this user may open', async () => {
    const socket = await stat(join(dataDir(), 'cloud', 's3-socket', 's3.sock'));
    expect(socket.isSocket()).toBe(true);
    expect(socket.mode & 0o777).toBe(0o600);
    expect((await stat(join(dataDir(), 'cloud', 's3-socket'))).mode & 0o777).toBe(0o700);
  });
});
