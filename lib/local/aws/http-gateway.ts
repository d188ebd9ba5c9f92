// The HTTP API, as API Gateway (payload format 2.0) would run it: route matching from the template's
// routes, the JWT authorizer on the routes that have it, and the same event shape the handlers get in AWS.
// What the gateway answers itself it answers as API Gateway does, with `{"message": …}` and nothing else
// (HTTP APIs cannot change those bodies): 400 for a path it cannot decode, 404 for no route, 401 for a
// missing or refused token, 413 past the payload quota, 500 when the function fails.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import { JwtInvalidAudienceError } from 'aws-jwt-verify/error';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { LambdaRuntime } from './lambda-runtime';
import type { Route } from '#local/template';
import { DEV_AUDIENCE, DEV_USER, type DevIssuer } from './dev-issuer';

interface CompiledRoute extends Route { pattern: RegExp; params: string[] }

/** HTTP API quota: a request payload of at most 10 MB. */
export const PAYLOAD_QUOTA_BYTES = 10 * 1024 * 1024;
/** Lambda's quota for a synchronous invocation's request (the whole event): 6 MB. The HTTP API answers a request
 * whose event is larger with the same 413 (as AWS's own Lambda test tool reproduces it). */
export const INVOKE_QUOTA_BYTES = 6 * 1024 * 1024;

/** The body, or undefined once it passes `limit`: the rest is read and dropped, so the 413 reaches the client. */
function readPayload(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      req.off('data', onData).off('end', onEnd);
      req.resume();
      resolve(undefined);
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    req.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

function decodable(path: string): boolean {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    return false;
  }
}

export function httpGateway(options: { routes: Route[]; runtime: LambdaRuntime; issuer: DevIssuer; basePath: string }) {
  const routes: CompiledRoute[] = options.routes.map((route) => {
    const params: string[] = [];
    const source = route.path.replace(/\{([^}+]+)\+?\}/g, (_, name: string) => {
      params.push(name);
      return '([^/]+)';
    });
    return { ...route, pattern: new RegExp(`^${source}$`), params };
  });
  // API Gateway's JWT authorizer checks the audience its own way: `aud` must name one of the configured
  // audiences, or, only when a token has no `aud`, `client_id` must (so Cognito's access tokens pass it).
  const verifier = JwtRsaVerifier.create({ issuer: options.issuer.issuer, audience: null, jwksUri: `${options.issuer.issuer}/.well-known/jwks.json` });
  verifier.cacheJwks(options.issuer.jwks as never);

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  /** An answer of the gateway's own: API Gateway's body, exactly. */
  const gatewayAnswer = (res: ServerResponse, status: number, message: string, headers: Record<string, string> = {}) =>
    send(res, status, { message }, headers);

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    res.setHeader('apigw-requestid', requestId);
    try {
      await serve(req, res, requestId);
    } catch (error) {
      console.error(`[api] ${req.method} ${req.url} failed in the gateway: ${(error as Error).stack ?? String(error)}`);
      if (!res.headersSent) gatewayAnswer(res, 500, 'Internal Server Error');
      else res.end();
    }
  };

  async function serve(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname.slice(options.basePath.length) || '/';
    const method = req.method ?? 'GET';
    const tooLarge = () => gatewayAnswer(res, 413, 'Request Entity Too Large');
    if (Number(req.headers['content-length']) > PAYLOAD_QUOTA_BYTES) return tooLarge();
    const body = await readPayload(req, PAYLOAD_QUOTA_BYTES);
    if (!body) return tooLarge();
    // A `%` not followed by two hex digits (or escapes that are not UTF-8) is no path the gateway can route.
    if (!decodable(path)) return gatewayAnswer(res, 400, 'Bad Request');

    if (method === 'POST' && path === '/dev/token') return issueDevToken(body, res);

    const match = routes
      .map((route) => ({ route, found: route.method === method || route.method === 'ANY' ? route.pattern.exec(path) : null }))
      .find((m) => m.found);
    if (!match) return gatewayAnswer(res, 404, 'Not Found');

    let claims: Record<string, unknown> | undefined;
    if (match.route.authorized) {
      const token = /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
      if (!token) return gatewayAnswer(res, 401, 'Unauthorized', { 'www-authenticate': 'Bearer' });
      try {
        claims = (await verifier.verify(token)) as Record<string, unknown>;
        const aud = claims.aud === undefined ? claims.client_id : claims.aud;
        if (!(Array.isArray(aud) ? aud.includes(DEV_AUDIENCE) : aud === DEV_AUDIENCE)) throw new JwtInvalidAudienceError('the token does not have a valid audience', aud as string, DEV_AUDIENCE);
      } catch (error) {
        return gatewayAnswer(res, 401, 'Unauthorized', { 'www-authenticate': bearerChallenge(error) });
      }
    }

    const pathParameters = Object.fromEntries(match.route.params.map((name, i) => [name, decodeURIComponent(match.found![i + 1]!)]));
    const event = toEvent(req, url, path, body, match.route.key, pathParameters, requestId, claims);
    if (Buffer.byteLength(JSON.stringify(event)) > INVOKE_QUOTA_BYTES) return tooLarge();
    const outcome = await options.runtime.invoke(match.route.handler, event);
    if (!outcome.ok) {
      console.error(`[api] ${match.route.handler} failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
      return gatewayAnswer(res, 500, 'Internal Server Error');
    }
    const result = outcome.result as { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean } | string | undefined;
    if (result && typeof result === 'object' && typeof result.statusCode === 'number') {
      res.writeHead(result.statusCode, { 'content-type': 'application/json', ...(result.headers ?? {}) });
      res.end(result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'));
    } else {
      send(res, 200, result ?? null);
    }
  }

  async function issueDevToken(body: Buffer, res: ServerResponse) {
    let user: unknown;
    try {
      user = JSON.parse(body.toString('utf8') || '{}').user;
    } catch {
      return send(res, 400, { error: { code: 'MALFORMED_JSON', message: 'Send a JSON body like {"user": "alice"}.' } });
    }
    if (typeof user !== 'string' || !DEV_USER.test(user)) {
      return send(res, 422, { error: { code: 'INVALID_USER', message: 'Pick a user name of 1 to 40 letters, digits, dots, dashes or underscores.', details: [{ field: 'user', message: 'Use letters, digits, ".", "-" or "_".' }] } });
    }
    send(res, 200, { token: await options.issuer.issue(user) });
  }
}

function toEvent(
  req: IncomingMessage, url: URL, path: string, body: Buffer, routeKey: string,
  pathParameters: Record<string, string>, requestId: string, claims?: Record<string, unknown>,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = query[name] ? `${query[name]},${value}` : value;
  const now = new Date();
  const event = {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length ? { pathParameters } : {}),
    ...(body.length ? { body: body.toString('utf8') } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: { method: req.method ?? 'GET', path, protocol: 'HTTP/1.1', sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId,
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims: stringClaims(claims), scopes: null } } } : {}),
    },
  };
  return event as APIGatewayProxyEventV2;
}

/**
 * The `www-authenticate` of a refused token, in the form API Gateway's troubleshooting page shows
 * (`Bearer scope="" error="invalid_token" error_description="the token does not have a valid audience"`); only
 * that documented description is given, other refusals name the error alone rather than invent AWS's wording.
 */
function bearerChallenge(error: unknown): string {
  const description = error instanceof JwtInvalidAudienceError ? ' error_description="the token does not have a valid audience"' : '';
  return `Bearer scope="" error="invalid_token"${description}`;
}

/** API Gateway hands JWT claims to the integration as strings. */
function stringClaims(claims: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, typeof v === 'string' ? v : Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]));
}
