// The local OpenID provider answers as Cognito's endpoints do: the refusals a client meets when something in
// the authorization-code flow with PKCE is wrong, and the refresh grant's answer.
import { createHash, randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devIssuer } from '#local/aws/dev-issuer';
import { LOCAL_CLIENT_ID, oidcProvider, oidcTokenSeconds, type OidcProvider } from '#local/aws/oidc-provider';
import { closeServer, startServer } from '#local/http-util';
import { useTempDir } from '#support/temp-dir';

const dataDir = useTempDir('loraworks-oidc-');
let server: Server;
let base: string;
let issuerUrl: string;
let redirectUri: string;

/** Starts a provider on the data folder (again after a stop: what it keeps must survive). */
async function start() {
  const ready: { provider?: OidcProvider } = {};
  const listening = await startServer((req, res) => void ready.provider!.handle(req, res, new URL(req.url ?? '/', 'http://local').pathname.slice('/dev'.length)));
  server = listening.server;
  base = listening.url;
  issuerUrl = `${base}/dev`;
  redirectUri = `${base}/`;
  ready.provider = await oidcProvider({ issuer: await devIssuer(dataDir(), issuerUrl), dataDir: dataDir(), redirectUri, tokenSeconds: 60 });
}

beforeAll(start);
afterAll(() => closeServer(server));

const verifier = () => randomBytes(32).toString('base64url');
const challengeOf = (v: string) => createHash('sha256').update(v).digest('base64url');

function authorizeParams(overrides: Record<string, string | undefined> = {}): URLSearchParams {
  const params: Record<string, string | undefined> = {
    client_id: LOCAL_CLIENT_ID, redirect_uri: redirectUri, response_type: 'code', scope: 'openid email profile',
    state: 'st-1', nonce: 'n-1', code_challenge: challengeOf('x'.repeat(43)), code_challenge_method: 'S256', ...overrides,
  };
  return new URLSearchParams(Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined));
}

/** Signs in on the page (a POST of its form) and returns the code sent back to the app. */
async function code(codeVerifier: string, user = 'alice', extra: Record<string, string> = {}): Promise<string> {
  const body = authorizeParams({ code_challenge: challengeOf(codeVerifier), ...extra });
  body.set('username', user);
  const res = await fetch(`${issuerUrl}/oauth2/authorize`, { method: 'POST', body, redirect: 'manual' });
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location')!);
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri);
  expect(location.searchParams.get('state')).toBe('st-1');
  return location.searchParams.get('code')!;
}

const tokenCall = (form: Record<string, string>) => fetch(`${issuerUrl}/oauth2/token`, {
  method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form),
});
const exchange = (c: string, codeVerifier: string, overrides: Record<string, string> = {}) =>
  tokenCall({ grant_type: 'authorization_code', client_id: LOCAL_CLIENT_ID, code: c, redirect_uri: redirectUri, code_verifier: codeVerifier, ...overrides });

async function refused(res: Response, status: number, error: string) {
  expect(res.status).toBe(status);
  const body = await res.json() as { error: string; error_description: string };
  expect(body.error).toBe(error);
  expect(body.error_description.length).toBeGreaterThan(10);
  return body.error_description;
}

describe('discovery', () => {
  it('names the endpoints Cognito names, under the issuer, and no end_session_endpoint', async () => {
    const res = await fetch(`${issuerUrl}/.well-known/openid-configuration`);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    const doc = await res.json() as Record<string, unknown>;
    expect(doc).toMatchObject({
      issuer: issuerUrl,
      authorization_endpoint: `${issuerUrl}/oauth2/authorize`,
      token_endpoint: `${issuerUrl}/oauth2/token`,
      userinfo_endpoint: `${issuerUrl}/oauth2/userInfo`,
      revocation_endpoint: `${issuerUrl}/oauth2/revoke`,
      jwks_uri: `${issuerUrl}/.well-known/jwks.json`,
    });
    expect(doc).not.toHaveProperty('end_session_endpoint');
    expect((await (await fetch(`${issuerUrl}/.well-known/jwks.json`)).json() as { keys: unknown[] }).keys).toHaveLength(1);
  });
});

describe('authorize', () => {
  it('shows the "Sign in as" page for a good request', async () => {
    const res = await fetch(`${issuerUrl}/oauth2/authorize?${authorizeParams()}`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Sign in as');
    expect(html).toContain('name="code_challenge"');
  });

  it('refuses a redirect_uri that is not registered exactly, without redirecting to it', async () => {
    for (const uri of ['https://evil.example/', `${redirectUri}callback`, redirectUri.replace(/\/$/, '')]) {
      const res = await fetch(`${issuerUrl}/oauth2/authorize?${authorizeParams({ redirect_uri: uri })}`, { redirect: 'manual' });
      expect(res.headers.get('location')).toBeNull();
      expect(await refused(res, 400, 'redirect_mismatch')).toContain(redirectUri);
    }
    const page = await fetch(`${issuerUrl}/oauth2/authorize?${authorizeParams({ redirect_uri: 'https://evil.example/' })}`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(400);
    expect(await page.text()).toContain('not a callback URL of this client');
  });

  it('refuses an unknown client', async () => {
    await refused(await fetch(`${issuerUrl}/oauth2/authorize?${authorizeParams({ client_id: 'someone-else' })}`, { redirect: 'manual' }), 400, 'invalid_client');
  });

  it('sends a request without PKCE, with plain PKCE, without openid or of another response type back with its error', async () => {
    const cases: [Record<string, string | undefined>, string, RegExp][] = [
      [{ code_challenge: undefined }, 'invalid_request', /PKCE/],
      [{ code_challenge_method: 'plain' }, 'invalid_request', /S256/],
      [{ code_challenge_method: undefined }, 'invalid_request', /S256/],
      [{ scope: 'email profile' }, 'invalid_scope', /openid/],
      [{ response_type: 'token' }, 'unsupported_response_type', /code/],
    ];
    for (const [overrides, error, description] of cases) {
      const res = await fetch(`${issuerUrl}/oauth2/authorize?${authorizeParams(overrides)}`, { redirect: 'manual' });
      expect(res.status, JSON.stringify(overrides)).toBe(302);
      const location = new URL(res.headers.get('location')!);
      expect(location.searchParams.get('error')).toBe(error);
      expect(location.searchParams.get('error_description')).toMatch(description);
      expect(location.searchParams.get('state')).toBe('st-1');
      expect(location.searchParams.get('code')).toBeNull();
    }
  });

  it('refuses a user name it cannot use, on the page', async () => {
    const body = authorizeParams();
    body.set('username', 'no spaces please');
    const res = await fetch(`${issuerUrl}/oauth2/authorize`, { method: 'POST', body, redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Pick a user name');
  });
});

describe('token', () => {
  it('exchanges a code with its verifier for Cognito-shaped ID, access and refresh tokens', async () => {
    const v = verifier();
    const res = await exchange(await code(v), v);
    expect(res.status).toBe(200);
    const body = await res.json() as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 60, refresh_token: expect.any(String) });
    const id = decodeJwt(body.id_token as string);
    expect(id).toMatchObject({ iss: issuerUrl, aud: LOCAL_CLIENT_ID, sub: 'dev-alice', token_use: 'id', 'cognito:username': 'alice', email: 'alice@example.test', nonce: 'n-1' });
    expect(id.exp! - id.iat!).toBe(60);
    expect(decodeJwt(body.access_token as string)).toMatchObject({ token_use: 'access', client_id: LOCAL_CLIENT_ID, scope: 'openid email profile', username: 'alice' });
    const info = await fetch(`${issuerUrl}/oauth2/userInfo`, { headers: { authorization: `Bearer ${body.access_token}` } });
    expect(await info.json()).toEqual({ sub: 'dev-alice', email: 'alice@example.test', email_verified: 'true', username: 'alice' });
    await refused(await fetch(`${issuerUrl}/oauth2/userInfo`, { headers: { authorization: `Bearer ${body.id_token}` } }), 401, 'invalid_token');
  });

  it('refuses a wrong or missing code_verifier with invalid_grant, and the code is spent', async () => {
    const v = verifier();
    const c = await code(v);
    expect(await refused(await exchange(c, verifier()), 400, 'invalid_grant')).toMatch(/code_verifier does not match/);
    await refused(await exchange(c, v), 400, 'invalid_grant');
    const { code_verifier: _, ...withoutVerifier } = { grant_type: 'authorization_code', client_id: LOCAL_CLIENT_ID, code: await code(v), redirect_uri: redirectUri, code_verifier: '' };
    expect(await refused(await tokenCall(withoutVerifier), 400, 'invalid_grant')).toMatch(/code_verifier is missing/);
  });

  it('refuses a code used a second time', async () => {
    const v = verifier();
    const c = await code(v);
    expect((await exchange(c, v)).status).toBe(200);
    expect(await refused(await exchange(c, v), 400, 'invalid_grant')).toMatch(/unknown, used or expired/);
  });

  it('refuses a redirect_uri other than the authorize request\'s, another client, and a body not form-encoded', async () => {
    const v = verifier();
    await refused(await exchange(await code(v), v, { redirect_uri: `${redirectUri}x` }), 400, 'invalid_grant');
    await refused(await exchange(await code(v), v, { client_id: 'someone-else' }), 400, 'invalid_client');
    await refused(await exchange(await code(v), v, { grant_type: 'password' }), 400, 'unsupported_grant_type');
    const json = await fetch(`${issuerUrl}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(await refused(json, 400, 'invalid_request')).toMatch(/form-encoded/);
  });

  it('refreshes with new ID and access tokens and no new refresh token, also after a restart; refuses a bad or revoked one', async () => {
    const v = verifier();
    const first = await (await exchange(await code(v, 'bob'), v)).json() as Record<string, string>;
    await closeServer(server);
    await start();
    const refresh = () => tokenCall({ grant_type: 'refresh_token', client_id: LOCAL_CLIENT_ID, refresh_token: first.refresh_token! });
    const res = await refresh();
    expect(res.status).toBe(200);
    const body = await res.json() as Record<string, unknown>;
    expect(body).not.toHaveProperty('refresh_token');
    expect(body.id_token).not.toBe(first.id_token);
    const id = decodeJwt(body.id_token as string);
    expect(id).toMatchObject({ iss: issuerUrl, sub: 'dev-bob', token_use: 'id', auth_time: decodeJwt(first.id_token!).auth_time });

    await refused(await tokenCall({ grant_type: 'refresh_token', client_id: LOCAL_CLIENT_ID, refresh_token: 'not-a-token' }), 400, 'invalid_grant');
    const revoke = await fetch(`${issuerUrl}/oauth2/revoke`, {
      method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: first.refresh_token!, client_id: LOCAL_CLIENT_ID }),
    });
    expect(revoke.status).toBe(200);
    await refused(await refresh(), 400, 'invalid_grant');
  });
});

describe('session and logout', () => {
  it('signs a returning browser in at once, until it signs out at the provider', async () => {
    const body = authorizeParams();
    body.set('username', 'carol');
    const signedIn = await fetch(`${issuerUrl}/oauth2/authorize`, { method: 'POST', body, redirect: 'manual' });
    const cookie = signedIn.headers.get('set-cookie')!.split(';')[0]!;
    const again = await fetch(`${issuerUrl}/oauth2/authorize?${authorizeParams()}`, { headers: { cookie }, redirect: 'manual' });
    expect(again.status).toBe(302);
    expect(new URL(again.headers.get('location')!).searchParams.get('code')).toBeTruthy();

    await refused(await fetch(`${issuerUrl}/logout?client_id=${LOCAL_CLIENT_ID}&logout_uri=${encodeURIComponent('https://evil.example/')}`, { headers: { cookie }, redirect: 'manual' }), 400, 'invalid_request');
    const out = await fetch(`${issuerUrl}/logout?client_id=${LOCAL_CLIENT_ID}&logout_uri=${encodeURIComponent(redirectUri)}`, { headers: { cookie }, redirect: 'manual' });
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe(redirectUri);
    const asked = await fetch(`${issuerUrl}/oauth2/authorize?${authorizeParams()}`, { headers: { cookie }, redirect: 'manual' });
    expect(asked.status).toBe(200);
    expect(await asked.text()).toContain('Sign in as');
  });
});

describe('token lifetime', () => {
  it('comes from LORAWORKS_OIDC_TOKEN_SECONDS (default an hour), and a value it cannot use says so', () => {
    expect(oidcTokenSeconds(undefined)).toBe(3600);
    expect(oidcTokenSeconds('20')).toBe(20);
    for (const bad of ['abc', '2', '1.5', '100000']) {
      expect(() => oidcTokenSeconds(bad)).toThrow(`LORAWORKS_OIDC_TOKEN_SECONDS must be a whole number of seconds from 5 to 86400 (got "${bad}")`);
    }
  });
});
