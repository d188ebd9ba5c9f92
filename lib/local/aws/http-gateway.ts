// The HTTP API, as API Gateway (payload format 2.0) would run it: route matching from the template's
// routes, the JWT authorizer on the routes that have it, and the same event shape the handlers get in AWS.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { JwtRsaVerifier } from 'aws-jwt-verify';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { LambdaRuntime } from './lambda-runtime';
import type { Route } from '#local/template';
import { readBody } from '#local/http-util';
import { DEV_AUDIENCE, DEV_USER, type DevIssuer } from './dev-issuer';

interface CompiledRoute extends Route { pattern: RegExp; params: string[] }

export function httpGateway(options: { routes: Route[]; runtime: LambdaRuntime; issuer: DevIssuer; basePath: string }) {
  const routes: CompiledRoute[] = options.routes.map((route) => {
    const params: string[] = [];
    const source = route.path.replace(/\{([^}+]+)\+?\}/g, (_, name: string) => {
      params.push(name);
      return '([^/]+)';
    });
    return { ...route, pattern: new RegExp(`^${source}$`), params };
  });
  const verifier = JwtRsaVerifier.create({ issuer: options.issuer.issuer, audience: DEV_AUDIENCE, jwksUri: `${options.issuer.issuer}/.well-known/jwks.json` });
  verifier.cacheJwks(options.issuer.jwks as never);

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  // API Gateway answers these itself with {"message"}; the contract's error body rides along.
  const gatewayError = (res: ServerResponse, status: number, message: string, code: string, sentence: string) =>
    send(res, status, { message, error: { code, message: sentence } });

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://local');
    const path = url.pathname.slice(options.basePath.length) || '/';
    const method = req.method ?? 'GET';
    const body = await readBody(req);

    if (method === 'POST' && path === '/dev/token') return issueDevToken(body, res);

    const match = routes
      .map((route) => ({ route, found: route.method === method || route.method === 'ANY' ? route.pattern.exec(path) : null }))
      .find((m) => m.found);
    if (!match) return gatewayError(res, 404, 'Not Found', 'NOT_FOUND', `There is no ${method} ${path} in this API.`);

    let claims: Record<string, unknown> | undefined;
    if (match.route.authorized) {
      const token = /^Bearer (.+)$/i.exec(String(req.headers.authorization ?? ''))?.[1];
      try {
        claims = token ? ((await verifier.verify(token)) as Record<string, unknown>) : undefined;
      } catch {
        claims = undefined;
      }
      if (!claims) return gatewayError(res, 401, 'Unauthorized', 'UNAUTHORIZED', 'Sign in again: the request has no valid token.');
    }

    const pathParameters = Object.fromEntries(match.route.params.map((name, i) => [name, decodeURIComponent(match.found![i + 1]!)]));
    const event = toEvent(req, url, path, body, match.route.key, pathParameters, claims);
    const outcome = await options.runtime.invoke(match.route.handler, event);
    if (!outcome.ok) {
      console.error(`[api] ${match.route.handler} failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
      return gatewayError(res, 500, 'Internal Server Error', 'INTERNAL', 'Something went wrong on our side; try again.');
    }
    const result = outcome.result as { statusCode?: number; headers?: Record<string, string>; body?: string; isBase64Encoded?: boolean } | string | undefined;
    if (result && typeof result === 'object' && typeof result.statusCode === 'number') {
      res.writeHead(result.statusCode, { 'content-type': 'application/json', ...(result.headers ?? {}) });
      res.end(result.body === undefined ? undefined : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'));
    } else {
      send(res, 200, result ?? null);
    }
  };

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
  pathParameters: Record<string, string>, claims?: Record<string, unknown>,
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
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims: stringClaims(claims), scopes: null } } } : {}),
    },
  };
  return event as APIGatewayProxyEventV2;
}

/** API Gateway hands JWT claims to the integration as strings. */
function stringClaims(claims: Record<string, unknown>) {
  return Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, typeof v === 'string' ? v : Array.isArray(v) ? `[${v.join(' ')}]` : String(v)]));
}
