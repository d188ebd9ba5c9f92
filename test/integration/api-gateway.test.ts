// The answers the HTTP API gives itself, before or instead of a handler: API Gateway's own bodies
// (`{"message": …}`), over real HTTP against the local cloud.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '#local/cloud';
import type { ErrorBody } from '#domain/schemas';
import { LoraworksClient } from '#support/local-cloud-client';
import { useTempDir } from '#support/temp-dir';

const dataDir = useTempDir('loraworks-gw-');
let cloud: LocalCloud;
let alice: LoraworksClient;

beforeAll(async () => {
  cloud = await startLocalCloud({ port: 0, dataDir: dataDir() });
  alice = await LoraworksClient.signIn(cloud.apiUrl, 'alice');
});
afterAll(() => cloud?.stop());

/** Status and the body as text, so a body is compared byte for byte. */
async function call(path: string, init: RequestInit = {}) {
  const res = await fetch(`${cloud.apiUrl}${path}`, init);
  return { status: res.status, contentType: res.headers.get('content-type'), text: await res.text() };
}
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A token from the local issuer's own key, so only the claim that is changed is wrong. */
async function tokenWith(audience: string) {
  const jwk = JSON.parse(await readFile(join(dataDir(), 'dev-issuer-key.json'), 'utf8')) as JWK;
  const issuer = JSON.parse(Buffer.from(alice.token.split('.')[1]!, 'base64url').toString('utf8')).iss as string;
  return new SignJWT({ token_use: 'id' })
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid!, typ: 'JWT' })
    .setIssuer(issuer).setAudience(audience).setSubject('dev-alice').setIssuedAt().setExpirationTime('1h')
    .sign(await importJWK(jwk, 'RS256'));
}

describe('the Lambda authorizer', () => {
  it('answers a request without a token 401 {"message":"Unauthorized"} and nothing else', async () => {
    const res = await call('/datasets');
    expect(res).toMatchObject({ status: 401, text: '{"message":"Unauthorized"}', contentType: 'application/json' });
  });

  it('answers a token it cannot verify 403 {"message":"Forbidden"}, as API Gateway does when the authorizer refuses', async () => {
    const res = await call('/datasets', { headers: bearer('not-a-token') });
    expect(res).toMatchObject({ status: 403, text: '{"message":"Forbidden"}', contentType: 'application/json' });
  });

  it('answers 403 {"message":"Forbidden"} to a signed token for another audience', async () => {
    const res = await call('/datasets', { headers: bearer(await tokenWith('someone-else')) });
    expect(res).toMatchObject({ status: 403, text: '{"message":"Forbidden"}' });
  });

  it('takes a token of the local issuer for its audience', async () => {
    expect((await call('/datasets', { headers: bearer(await tokenWith('loraworks-local')) })).status).toBe(200);
  });
});

describe('routing', () => {
  it('answers a path with no route 404 {"message":"Not Found"}', async () => {
    expect(await call('/no-such-thing', { headers: bearer(alice.token) })).toMatchObject({ status: 404, text: '{"message":"Not Found"}' });
  });

  it('answers a method the path has no route for 404 {"message":"Not Found"} too (HTTP APIs have no 405)', async () => {
    expect(await call('/datasets', { method: 'DELETE', headers: bearer(alice.token) })).toMatchObject({ status: 404, text: '{"message":"Not Found"}' });
  });

  it('answers a path with a malformed % escape 400 {"message":"Bad Request"}, not 500', async () => {
    for (const path of ['/datasets/%zz', '/datasets/abc%', '/datasets/%E0%A4%A']) {
      expect(await call(path, { headers: bearer(alice.token) }), path).toMatchObject({ status: 400, text: '{"message":"Bad Request"}' });
    }
  });

  it('leaves a record the handler cannot find to the handler: 404 with the contract’s error body', async () => {
    const res = await call('/datasets/ds_nope', { headers: bearer(alice.token) });
    expect(res.status).toBe(404);
    expect((JSON.parse(res.text) as ErrorBody).error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
  });
});

describe('payload quotas', () => {
  const post = (bytes: number) => call('/datasets', {
    method: 'POST',
    headers: { ...bearer(alice.token), 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'x'.repeat(bytes) }),
  });

  it('answers a body over the HTTP API’s 10 MB quota 413 {"message":"Request Entity Too Large"}', async () => {
    expect(await post(11 * 1024 * 1024)).toMatchObject({ status: 413, text: '{"message":"Request Entity Too Large"}' });
  });

  it('answers the same 413 for a body under 10 MB whose event is over Lambda’s 6 MB invocation quota', async () => {
    expect(await post(7 * 1024 * 1024)).toMatchObject({ status: 413, text: '{"message":"Request Entity Too Large"}' });
  });

  it('answers the same 413 for a streamed (chunked) body past 10 MB, and keeps serving', async () => {
    const chunk = new Uint8Array(256 * 1024).fill(120);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= 11 * 1024 * 1024) return controller.close();
        controller.enqueue(chunk);
        sent += chunk.length;
      },
    });
    const res = await call('/datasets', { method: 'POST', headers: bearer(alice.token), body, duplex: 'half' } as RequestInit);
    expect(res).toMatchObject({ status: 413, text: '{"message":"Request Entity Too Large"}' });
    expect((await alice.request('GET', '/datasets')).status).toBe(200);
  });
});
