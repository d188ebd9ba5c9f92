// API tokens and the one authentication rule both doors share (app/authenticate.ts), against a real (in-process)
// dynalite and a JWKS served on loopback, with the clock handed in.
import './handler-env';
import { createServer, type Server } from 'node:http';
import { createTestTable } from '#support/test-table';
import dynalite from 'dynalite';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoStreamProxy } from '#local/aws/dynamo-stream-proxy';
import { closeServer, listen, startServer } from '#local/http-util';
import type { ErrorBody } from '#domain/schemas';
import { context, httpEvent, parseBody } from './http-events';

let table: Server;
let proxyServer: Server;
let jwksServer: Server;
let signingKey: CryptoKey;
/** While set, the table refuses every UpdateItem (as DynamoDB would answer a role without the grant). */
let refuseUpdates = false;
let issuer: string;

beforeAll(async () => {
  table = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(table, 0);
  const proxy = dynamoStreamProxy({ dynaliteUrl: `http://127.0.0.1:${port}`, onRecords: () => undefined });
  const started = await startServer((req, res) => {
    if (refuseUpdates && String(req.headers['x-amz-target']).endsWith('.UpdateItem')) {
      res.writeHead(400, { 'content-type': 'application/x-amz-json-1.0' });
      return void res.end(JSON.stringify({ __type: 'com.amazon.coral.service#AccessDeniedException', message: 'not authorized to perform: dynamodb:UpdateItem' }));
    }
    return proxy.handle(req, res);
  });
  proxyServer = started.server;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = started.url;
  await createTestTable(started.url);

  const { privateKey, publicKey } = await generateKeyPair('RS256');
  signingKey = privateKey;
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' }] };
  jwksServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks)));
  issuer = `http://127.0.0.1:${await listen(jwksServer, 0)}`;
  Object.assign(process.env, { JWT_ISSUER: issuer, JWT_AUDIENCE: 'web', JWKS_URI: `${issuer}/.well-known/jwks.json` });
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  await closeServer(proxyServer);
  await closeServer(table);
  await closeServer(jwksServer);
});

// Imported after the endpoint is known: the table client is created on first use.
const { authenticate } = await import('#app/authenticate');
const { createToken } = await import('#app/create-token');
const { listTokens } = await import('#app/list-tokens');
const { revokeToken } = await import('#app/revoke-token');
const { handler: createHandler } = await import('#handlers/create-token');
const { handler: listHandler } = await import('#handlers/list-tokens');
const { handler: deleteHandler } = await import('#handlers/delete-token');
const { handler: authorizeHandler } = await import('#handlers/authorize');
const { handler: wsAuthorizeHandler } = await import('#handlers/ws-authorize');

const NOW = new Date('2026-03-01T12:00:00.000Z');
const minutesLater = (m: number) => new Date(NOW.getTime() + m * 60_000);
const jwt = (claims: Record<string, unknown>) => new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1' })
  .setIssuer(issuer).setSubject('u-jwt').setIssuedAt().setExpirationTime('1h').sign(signingKey);

describe('authenticate: an API token', () => {
  it('names its owner while valid, and stops at its expiry', async () => {
    const { token, id, expiresAt } = await createToken('alice', 'ci', 1, NOW);
    expect(token).toMatch(new RegExp(`^lwk_${id}_[A-Za-z0-9_-]{43}$`));
    expect(expiresAt).toBe('2026-03-02T12:00:00.000Z');
    expect(await authenticate(token, minutesLater(1))).toEqual({ owner: 'alice', kind: 'api-token', tokenId: id });
    expect(await authenticate(token, new Date(expiresAt))).toBeNull();
  });

  it('is refused once revoked, or when its id is unknown', async () => {
    const { token, id } = await createToken('alice', 'revoked', 30, NOW);
    await revokeToken('alice', id);
    expect(await authenticate(token, NOW)).toBeNull();
    expect(await authenticate(token.replace(id, '01JZZZZZZZZZZZZZZZZZZZZZZZ'), NOW)).toBeNull();
  });

  it('is refused with a wrong secret, and when malformed', async () => {
    const { token } = await createToken('alice', 'secret', 30, NOW);
    const last = token.at(-1) === 'A' ? 'B' : 'A';
    expect(await authenticate(`${token.slice(0, -1)}${last}`, NOW)).toBeNull();
    for (const bad of ['lwk_', 'lwk_abc', `${token}x`, token.slice(0, -1), 'lwk_01J_secret']) expect(await authenticate(bad, NOW), bad).toBeNull();
  });

  it('records its last use, at most every five minutes, without storing the token', async () => {
    const { token, id } = await createToken('alice', 'used', 30, NOW);
    const lastUsed = async () => (await listTokens('alice')).find((t) => t.id === id)?.lastUsedAt;
    expect(await lastUsed()).toBeUndefined();
    await authenticate(token, minutesLater(1));
    expect(await lastUsed()).toBe(minutesLater(1).toISOString());
    await authenticate(token, minutesLater(3));
    expect(await lastUsed()).toBe(minutesLater(1).toISOString());
    await authenticate(token, minutesLater(7));
    expect(await lastUsed()).toBe(minutesLater(7).toISOString());
    expect(JSON.stringify(await listTokens('alice'))).not.toContain(token.split('_').at(-1)!);
  });
});

describe('authenticate: recording the use', () => {
  it('is best effort: a failed write never refuses the token', async () => {
    const { token, id } = await createToken('alice', 'flaky table', 30, NOW);
    refuseUpdates = true;
    try {
      expect(await authenticate(token, minutesLater(1))).toEqual({ owner: 'alice', kind: 'api-token', tokenId: id });
    } finally {
      refuseUpdates = false;
    }
    expect((await listTokens('alice')).find((t) => t.id === id)?.lastUsedAt).toBeUndefined();
  });
});

describe('authenticate: a user JWT', () => {
  it('accepts an ID token of the client', async () => {
    expect(await authenticate(await jwt({ token_use: 'id', aud: 'web' }), new Date())).toEqual({ owner: 'u-jwt', kind: 'user' });
  });

  it('refuses an access token, and a token for another client', async () => {
    expect(await authenticate(await jwt({ token_use: 'access', client_id: 'web' }), new Date())).toBeNull();
    expect(await authenticate(await jwt({ token_use: 'id', aud: 'other' }), new Date())).toBeNull();
    expect(await authenticate('not-a-jwt', new Date())).toBeNull();
    expect(await authenticate(undefined, new Date())).toBeNull();
  });
});

describe('the token routes', () => {
  it('creates a token shown once (201), lists it without the token, and revokes it (204)', async () => {
    const created = await createHandler(httpEvent({ owner: 'carol', body: { name: 'laptop' } }), context);
    expect(created.statusCode).toBe(201);
    const body = parseBody<{ id: string; token: string; createdAt: string; expiresAt: string }>(created);
    expect(body.token).toMatch(/^lwk_/);
    expect(Date.parse(body.expiresAt) - Date.parse(body.createdAt)).toBeGreaterThan(89 * 24 * 3600_000);
    const listed = parseBody<{ tokens: Record<string, unknown>[] }>(await listHandler(httpEvent({ owner: 'carol' }), context));
    expect(listed.tokens).toEqual([{ id: body.id, name: 'laptop', createdAt: body.createdAt, expiresAt: body.expiresAt }]);
    expect(JSON.stringify(listed)).not.toContain(body.token);
    expect((await deleteHandler(httpEvent({ owner: 'carol', path: { tokenId: body.id } }), context)).statusCode).toBe(204);
    expect(parseBody<{ tokens: unknown[] }>(await listHandler(httpEvent({ owner: 'carol' }), context)).tokens).toEqual([]);
  });

  it("answers 404 for another user's token and for an unknown one, never 403", async () => {
    const { id } = await createToken('dave', 'mine', 30, NOW);
    for (const [owner, tokenId] of [['erin', id], ['dave', '01JZZZZZZZZZZZZZZZZZZZZZZZ']] as const) {
      const response = await deleteHandler(httpEvent({ owner, path: { tokenId } }), context);
      expect(response.statusCode).toBe(404);
      expect(parseBody<ErrorBody>(response).error.code).toBe('TOKEN_NOT_FOUND');
    }
    expect((await listTokens('dave')).map((t) => t.id)).toEqual([id]);
  });

  it.each([
    { body: { name: '' }, field: 'name' },
    { body: { name: 'x'.repeat(61) }, field: 'name' },
    { body: { name: 'bad\u202ename' }, field: 'name' },
    { body: { name: 'ci', expiresInDays: 0 }, field: 'expiresInDays' },
    { body: { name: 'ci', expiresInDays: 366 }, field: 'expiresInDays' },
    { body: { name: 'ci', expiresInDays: 1.5 }, field: 'expiresInDays' },
  ])('answers 422 naming $field for $body', async ({ body, field }) => {
    const response = await createHandler(httpEvent({ owner: 'frank', body }), context);
    expect(response.statusCode).toBe(422);
    expect(parseBody<ErrorBody>(response).error.details?.[0]?.field).toBe(field);
  });

  it('refuses a 21st live token with 409 and says what to do; an expired one does not count', async () => {
    const expired = await createToken('gina', 'old', 1, new Date(Date.now() - 2 * 24 * 3600_000));
    for (let i = 0; i < 20; i++) await createToken('gina', `t${i}`, 30, new Date());
    const response = await createHandler(httpEvent({ owner: 'gina', body: { name: 'one more' } }), context);
    expect(response.statusCode).toBe(409);
    expect(parseBody<ErrorBody>(response).error).toMatchObject({ code: 'TOO_MANY_TOKENS', message: expect.stringMatching(/Revoke one/) });
    expect((await listTokens('gina')).map((t) => t.id)).toContain(expired.id);
  });
});

describe('the authorizers', () => {
  it('answer the HTTP API with a simple response naming the owner and the token kind', async () => {
    const { token, id } = await createToken('hana', 'http', 30, new Date());
    const event = (authorization?: string) => ({ version: '2.0', type: 'REQUEST', routeKey: 'GET /datasets', headers: authorization ? { authorization } : {}, identitySource: authorization ? [authorization] : [] });
    expect(await authorizeHandler(event(`Bearer ${token}`), context)).toEqual({ isAuthorized: true, context: { owner: 'hana', tokenKind: 'api-token', tokenId: id } });
    expect(await authorizeHandler(event(`Bearer ${await jwt({ token_use: 'id', aud: 'web' })}`), context)).toEqual({ isAuthorized: true, context: { owner: 'u-jwt', tokenKind: 'user' } });
    expect(await authorizeHandler(event(`Bearer ${token}x`), context)).toEqual({ isAuthorized: false });
    expect(await authorizeHandler(event(token), context)).toEqual({ isAuthorized: false });
  });

  it('answer the WebSocket $connect with a policy, for either kind of token in ?token=', async () => {
    const { token } = await createToken('hana', 'ws', 30, new Date());
    const event = (t: string) => ({ methodArn: 'arn:aws:execute-api:us-east-1:1:api/prod/$connect', queryStringParameters: { token: t } });
    const allowed = await wsAuthorizeHandler(event(token), context);
    expect(allowed).toMatchObject({ principalId: 'hana', context: { owner: 'hana', tokenKind: 'api-token' }, policyDocument: { Statement: [{ Effect: 'Allow' }] } });
    const denied = await wsAuthorizeHandler(event('lwk_nope'), context);
    expect(denied).toMatchObject({ principalId: 'anonymous', policyDocument: { Statement: [{ Effect: 'Deny' }] } });
  });
});
