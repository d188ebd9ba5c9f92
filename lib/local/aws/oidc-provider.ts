// The local OpenID provider: the endpoints a client discovers from a Cognito user pool and its managed-login
// domain, on the development issuer (`${url}/dev`), whose authorize step is a small "sign in as" page.
//
// Hand-written with jose rather than a provider library (node-oidc-provider and the like) on purpose: it must
// answer as Cognito answers, not as a general provider does. Cognito's discovery document has no
// end_session_endpoint and its sign-out is `/logout?client_id=…&logout_uri=…`; a refresh grant returns new ID and
// access tokens and no new refresh token; a public client must use PKCE with S256; its ID tokens carry
// `token_use` and `cognito:username`. A library would publish and do more (and other things) than the web app
// meets in AWS, and a test passing here would then prove less about the deployed sign-in.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { readBody } from '#local/http-util';
import { DEV_AUDIENCE, DEV_USER, type DevIssuer } from './dev-issuer';
import { escape, layout, page, signInPage } from './oidc-pages';

/** The one client the local provider knows: the web app (public, no secret). */
export const LOCAL_CLIENT_ID = DEV_AUDIENCE;
export const OIDC_SCOPES = 'openid email profile';
const SUPPORTED_SCOPES = ['openid', 'email', 'phone', 'profile'];
/** Cognito's authorization codes live five minutes; its refresh tokens here 30 days, as the stack's client. */
const CODE_SECONDS = 300;
const REFRESH_SECONDS = 30 * 24 * 3600;
const SESSION_COOKIE = 'loraworks_oidc_session';

export interface OidcProviderOptions {
  issuer: DevIssuer;
  /** Where the provider keeps what outlives a restart: refresh tokens and the users who signed up. */
  dataDir: string;
  /** The web app's registered callback and sign-out URL (`${origin}/`, matched exactly). */
  redirectUri: string;
  /** Lifetime of ID and access tokens. @default 3600 */
  tokenSeconds?: number;
  /** The clock, in ms. @default Date.now */
  now?: () => number;
}

export interface OidcProvider {
  /** Answers a request whose path is under the issuer's (`path` is the rest, e.g. `/oauth2/token`). */
  handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void>;
  discovery(): Record<string, unknown>;
  /** The sign-out endpoint the web app's config names. */
  logoutUrl: string;
}

interface AuthorizeRequest {
  clientId: string;
  redirectUri: string;
  scope: string;
  state?: string;
  nonce?: string;
  codeChallenge: string;
}

interface CodeGrant extends AuthorizeRequest { user: string; authTime: number; expiresAt: number }
interface RefreshGrant { user: string; clientId: string; scope: string; authTime: number; expiresAt: number }
interface Stored { users: string[]; refreshTokens: Record<string, RefreshGrant> }

/** The tokens' lifetime from an option or LORAWORKS_OIDC_TOKEN_SECONDS: whole seconds, 5 to 86400 (default 3600). */
export function oidcTokenSeconds(raw: number | string | undefined): number {
  if (raw === undefined || raw === '') return 3600;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 5 || value > 86_400) {
    throw new Error(`LORAWORKS_OIDC_TOKEN_SECONDS must be a whole number of seconds from 5 to 86400 (got "${raw}").`);
  }
  return value;
}

class OAuthError extends Error {
  constructor(readonly error: string, description: string, readonly status = 400) {
    super(description);
  }
}

const sha256 = (value: string) => createHash('sha256').update(value).digest();
const base64url = (buffer: Buffer) => buffer.toString('base64url');
const randomToken = () => base64url(randomBytes(32));

export async function oidcProvider(options: OidcProviderOptions): Promise<OidcProvider> {
  const { issuer } = options;
  const now = options.now ?? Date.now;
  const tokenSeconds = options.tokenSeconds ?? 3600;
  const base = issuer.issuer;
  const storeFile = join(options.dataDir, 'oidc-provider.json');
  const stored: Stored = existsSync(storeFile) ? JSON.parse(await readFile(storeFile, 'utf8')) : { users: [], refreshTokens: {} };
  let saving = Promise.resolve();
  const save = () => {
    saving = saving.then(async () => {
      await writeFile(`${storeFile}.tmp`, JSON.stringify(stored), { mode: 0o600 });
      await rename(`${storeFile}.tmp`, storeFile);
    });
    return saving;
  };
  const codes = new Map<string, CodeGrant>();
  const sessions = new Map<string, { user: string; authTime: number }>();
  const seconds = () => Math.floor(now() / 1000);

  const discovery = () => ({
    authorization_endpoint: `${base}/oauth2/authorize`,
    id_token_signing_alg_values_supported: ['RS256'],
    issuer: base,
    jwks_uri: `${base}/.well-known/jwks.json`,
    response_types_supported: ['code'],
    revocation_endpoint: `${base}/oauth2/revoke`,
    scopes_supported: SUPPORTED_SCOPES,
    subject_types_supported: ['public'],
    token_endpoint: `${base}/oauth2/token`,
    token_endpoint_auth_methods_supported: ['none'],
    userinfo_endpoint: `${base}/oauth2/userInfo`,
    code_challenge_methods_supported: ['S256'],
  });

  /**
   * The checks of an authorize request, in the order a provider may act on them: until client and redirect_uri
   * are known good nothing may be sent to the redirect_uri (the refusal is a page); after that the error goes back to it.
   */
  function checkAuthorize(params: URLSearchParams): AuthorizeRequest {
    const clientId = params.get('client_id');
    if (!clientId) throw new OAuthError('invalid_request', 'client_id is missing: pass the app client id of the web app.');
    if (clientId !== LOCAL_CLIENT_ID) throw new OAuthError('invalid_client', `client_id "${clientId}" is not a client of this provider; use "${LOCAL_CLIENT_ID}".`);
    const redirectUri = params.get('redirect_uri');
    if (redirectUri !== options.redirectUri) {
      throw new OAuthError('redirect_mismatch', `redirect_uri ${redirectUri ? `"${redirectUri}"` : '(missing)'} is not a callback URL of this client; the only one registered is ${options.redirectUri}.`);
    }
    return { clientId, redirectUri, scope: '', codeChallenge: '' };
  }

  /** The rest of the checks; a failure is sent to the (trusted) redirect_uri. */
  function checkGrantRequest(params: URLSearchParams, request: AuthorizeRequest): AuthorizeRequest {
    if (params.get('response_type') !== 'code') throw new OAuthError('unsupported_response_type', 'response_type must be "code" (authorization code with PKCE).');
    const scope = (params.get('scope') ?? '').split(/\s+/).filter(Boolean);
    if (!scope.includes('openid')) throw new OAuthError('invalid_scope', 'scope must include "openid".');
    const unknown = scope.filter((s) => !SUPPORTED_SCOPES.includes(s));
    if (unknown.length > 0) throw new OAuthError('invalid_scope', `Unknown scope ${unknown.join(', ')}; this client may ask for ${SUPPORTED_SCOPES.join(' ')}.`);
    const codeChallenge = params.get('code_challenge');
    if (!codeChallenge) throw new OAuthError('invalid_request', 'code_challenge is required: a public client must use PKCE.');
    if (params.get('code_challenge_method') !== 'S256') throw new OAuthError('invalid_request', 'code_challenge_method must be S256 ("plain" is not accepted).');
    if (!/^[A-Za-z0-9_-]{43}$/.test(codeChallenge)) throw new OAuthError('invalid_request', 'code_challenge must be the base64url SHA-256 of the code_verifier (43 characters).');
    return { ...request, scope: scope.join(' '), codeChallenge, state: params.get('state') ?? undefined, nonce: params.get('nonce') ?? undefined };
  }

  async function authorize(req: IncomingMessage, res: ServerResponse) {
    const params = req.method === 'POST' ? await formOf(req) : new URL(req.url ?? '/', 'http://local').searchParams;
    let request: AuthorizeRequest;
    try {
      request = checkAuthorize(params);
    } catch (error) {
      return refusePage(req, res, error as OAuthError);
    }
    try {
      request = checkGrantRequest(params, request);
    } catch (error) {
      const { error: code, message } = error as OAuthError;
      return redirect(res, request.redirectUri, { error: code, error_description: message, state: params.get('state') ?? undefined });
    }
    const session = sessions.get(cookieOf(req, SESSION_COOKIE) ?? '');
    if (req.method !== 'POST') {
      // A provider session (signed in earlier, not signed out) answers at once, as Cognito's managed login does.
      if (session && params.get('prompt') !== 'login') return grant(res, request, session.user, session.authTime);
      return page(res, 200, signInPage(params, stored.users));
    }
    const user = (params.get('pick') || params.get('username') || '').trim();
    if (!DEV_USER.test(user)) {
      return page(res, 400, signInPage(params, stored.users, 'Pick a user name of 1 to 40 letters, digits, dots, dashes or underscores.', user));
    }
    if (!stored.users.includes(user)) {
      stored.users.push(user);
      await save();
    }
    const sessionId = randomToken();
    const authTime = seconds();
    sessions.set(sessionId, { user, authTime });
    res.setHeader('set-cookie', `${SESSION_COOKIE}=${sessionId}; Path=${new URL(base).pathname}; HttpOnly; SameSite=Lax`);
    return grant(res, request, user, authTime);
  }

  function grant(res: ServerResponse, request: AuthorizeRequest, user: string, authTime: number) {
    const code = randomToken();
    codes.set(code, { ...request, user, authTime, expiresAt: now() + CODE_SECONDS * 1000 });
    return redirect(res, request.redirectUri, { code, state: request.state });
  }

  async function tokens(user: string, clientId: string, scope: string, authTime: number, nonce?: string) {
    const claims = issuer.userClaims(user);
    const idToken = await issuer.sign({
      ...claims, aud: clientId, token_use: 'id', auth_time: authTime, email_verified: true, ...(nonce ? { nonce } : {}),
    }, tokenSeconds);
    const accessToken = await issuer.sign({
      sub: claims.sub, client_id: clientId, token_use: 'access', scope, auth_time: authTime, username: user, jti: randomToken(),
    }, tokenSeconds);
    return { id_token: idToken, access_token: accessToken, expires_in: tokenSeconds, token_type: 'Bearer' };
  }

  async function token(req: IncomingMessage, res: ServerResponse) {
    const form = await tokenForm(req);
    const grantType = form.get('grant_type');
    const clientId = form.get('client_id');
    if (!grantType) throw new OAuthError('invalid_request', 'grant_type is missing: use authorization_code or refresh_token.');
    if (grantType !== 'authorization_code' && grantType !== 'refresh_token') {
      throw new OAuthError('unsupported_grant_type', `grant_type "${grantType}" is not allowed for this client; use authorization_code or refresh_token.`);
    }
    if (clientId !== LOCAL_CLIENT_ID) throw new OAuthError('invalid_client', `client_id ${clientId ? `"${clientId}"` : '(missing)'} is not a client of this provider; use "${LOCAL_CLIENT_ID}".`);

    if (grantType === 'refresh_token') {
      const refreshToken = form.get('refresh_token');
      if (!refreshToken) throw new OAuthError('invalid_request', 'refresh_token is missing.');
      const key = base64url(sha256(refreshToken));
      const found = stored.refreshTokens[key];
      if (!found || found.clientId !== clientId || found.expiresAt <= now()) {
        throw new OAuthError('invalid_grant', 'Invalid Refresh Token: it is unknown, revoked or expired. Sign in again.');
      }
      // As Cognito: new ID and access tokens, the same refresh token (none in the answer).
      return oauthJson(res, 200, await tokens(found.user, clientId, found.scope, found.authTime));
    }

    const code = form.get('code');
    if (!code) throw new OAuthError('invalid_request', 'code is missing.');
    const found = codes.get(code);
    // A code is used once, whatever the outcome: a second try (or a guess at the verifier) finds nothing.
    codes.delete(code);
    if (!found || found.expiresAt <= now()) throw new OAuthError('invalid_grant', 'The authorization code is unknown, used or expired. Sign in again.');
    if (found.clientId !== clientId) throw new OAuthError('invalid_grant', 'The authorization code was issued to another client.');
    if (form.get('redirect_uri') !== found.redirectUri) throw new OAuthError('invalid_grant', 'redirect_uri does not match the one of the authorize request.');
    const verifier = form.get('code_verifier');
    if (!verifier) throw new OAuthError('invalid_grant', 'code_verifier is missing: PKCE requires the verifier of the code_challenge.');
    const expected = Buffer.from(found.codeChallenge);
    const actual = Buffer.from(base64url(sha256(verifier)));
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) {
      throw new OAuthError('invalid_grant', 'code_verifier does not match the code_challenge of the authorize request.');
    }
    const refreshToken = randomToken();
    stored.refreshTokens[base64url(sha256(refreshToken))] = {
      user: found.user, clientId, scope: found.scope, authTime: found.authTime, expiresAt: now() + REFRESH_SECONDS * 1000,
    };
    for (const [key, grant] of Object.entries(stored.refreshTokens)) if (grant.expiresAt <= now()) delete stored.refreshTokens[key];
    await save();
    return oauthJson(res, 200, { ...(await tokens(found.user, clientId, found.scope, found.authTime, found.nonce)), refresh_token: refreshToken });
  }

  async function revoke(req: IncomingMessage, res: ServerResponse) {
    const form = await tokenForm(req);
    const revoked = form.get('token');
    if (!revoked) throw new OAuthError('invalid_request', 'token is missing: pass the refresh token to revoke.');
    if (form.get('client_id') !== LOCAL_CLIENT_ID) throw new OAuthError('invalid_client', `client_id must be "${LOCAL_CLIENT_ID}".`);
    const key = base64url(sha256(revoked));
    if (stored.refreshTokens[key]) {
      delete stored.refreshTokens[key];
      await save();
    }
    cors(res);
    res.writeHead(200, { 'cache-control': 'no-store' });
    res.end();
  }

  async function userInfo(req: IncomingMessage, res: ServerResponse) {
    const bearer = /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
    if (!bearer) throw new OAuthError('invalid_request', 'Send the access token as "Authorization: Bearer <token>".', 401);
    let claims;
    try {
      claims = await issuer.verify(bearer);
    } catch (error) {
      throw new OAuthError('invalid_token', `Access token is invalid: ${(error as Error).message}`, 401);
    }
    if (claims.token_use !== 'access') throw new OAuthError('invalid_token', 'Access token is invalid: this is not an access token.', 401);
    const user = String(claims.username);
    const { sub, email } = issuer.userClaims(user);
    return oauthJson(res, 200, { sub, email, email_verified: 'true', username: user });
  }

  function logout(req: IncomingMessage, res: ServerResponse) {
    const params = new URL(req.url ?? '/', 'http://local').searchParams;
    const clientId = params.get('client_id');
    if (clientId !== LOCAL_CLIENT_ID) {
      return refusePage(req, res, new OAuthError('invalid_request', `client_id ${clientId ? `"${clientId}"` : '(missing)'} is not a client of this provider; use "${LOCAL_CLIENT_ID}".`));
    }
    const logoutUri = params.get('logout_uri');
    if (logoutUri !== options.redirectUri) {
      return refusePage(req, res, new OAuthError('invalid_request', `logout_uri ${logoutUri ? `"${logoutUri}"` : '(missing)'} is not a sign-out URL of this client; the only one registered is ${options.redirectUri}.`));
    }
    const sessionId = cookieOf(req, SESSION_COOKIE);
    if (sessionId) sessions.delete(sessionId);
    res.setHeader('set-cookie', `${SESSION_COOKIE}=; Path=${new URL(base).pathname}; HttpOnly; SameSite=Lax; Max-Age=0`);
    return redirect(res, logoutUri, {});
  }

  async function handle(req: IncomingMessage, res: ServerResponse, path: string) {
    const method = req.method ?? 'GET';
    try {
      if (method === 'OPTIONS') {
        cors(res);
        res.writeHead(204, { 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'authorization, content-type', 'access-control-max-age': '600' });
        return void res.end();
      }
      const route = `${method === 'HEAD' ? 'GET' : method} ${path}`;
      switch (route) {
        case 'GET /.well-known/openid-configuration': return oauthJson(res, 200, discovery(), { 'cache-control': 'public, max-age=60' });
        case 'GET /.well-known/jwks.json': return oauthJson(res, 200, issuer.jwks, { 'cache-control': 'public, max-age=60' });
        case 'GET /oauth2/authorize':
        case 'POST /oauth2/authorize': return await authorize(req, res);
        case 'POST /oauth2/token': return await token(req, res);
        case 'POST /oauth2/revoke': return await revoke(req, res);
        case 'GET /oauth2/userInfo':
        case 'POST /oauth2/userInfo': return await userInfo(req, res);
        case 'GET /logout': return logout(req, res);
      }
      throw new OAuthError('not_found', `${method} ${base}${path} is not an endpoint of this provider; see ${base}/.well-known/openid-configuration.`, 404);
    } catch (error) {
      if (!(error instanceof OAuthError)) throw error;
      const extra: Record<string, string> = error.status === 401 ? { 'www-authenticate': `Bearer error="${error.error}"` } : {};
      return oauthJson(res, error.status, { error: error.error, error_description: error.message }, extra);
    }
  }

  return { handle, discovery, logoutUrl: `${base}/logout` };
}

/** The form body of a token-endpoint request; anything else is refused as the spec says. */
async function tokenForm(req: IncomingMessage): Promise<URLSearchParams> {
  if (!String(req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw new OAuthError('invalid_request', 'Send the parameters form-encoded (Content-Type: application/x-www-form-urlencoded).');
  }
  return formOf(req);
}

async function formOf(req: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams((await readBody(req, 64 * 1024)).toString('utf8'));
}

function cookieOf(req: IncomingMessage, name: string): string | undefined {
  for (const part of String(req.headers.cookie ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function cors(res: ServerResponse) {
  res.setHeader('access-control-allow-origin', '*');
}

function oauthJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  cors(res);
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8', 'cache-control': 'no-store', pragma: 'no-cache', ...headers });
  res.end(JSON.stringify(body));
}

function redirect(res: ServerResponse, to: string, params: Record<string, string | undefined>) {
  const url = new URL(to);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  res.writeHead(302, { location: url.toString(), 'cache-control': 'no-store' });
  res.end();
}

/** A refusal that may not go to the redirect_uri: JSON for a program, a page for a person. */
function refusePage(req: IncomingMessage, res: ServerResponse, error: OAuthError) {
  if (!String(req.headers.accept ?? '').includes('text/html')) return oauthJson(res, error.status, { error: error.error, error_description: error.message });
  return page(res, error.status, layout('Sign-in cannot continue', `
    <h1>Sign-in cannot continue</h1>
    <p class="error" role="alert" data-testid="provider-error"><strong>${escape(error.error)}</strong>: ${escape(error.message)}</p>
    <p class="muted">Go back to Loraworks and press Sign in again.</p>`));
}
