// The HTTP API, as API Gateway (payload format 2.0) would run it: route matching from the template's
// routes, the template's Lambda authorizer on the routes that have it (run as its own function, with its own
// role, on every request: no result cache locally, so a revoked token is refused at once), and the same event
// shape the handlers get in AWS. What the gateway answers itself it answers as API Gateway does, with
// `{"message": …}` and nothing else (HTTP APIs cannot change those bodies): 400 for a path it cannot decode,
// 404 for no route, 401 when the identity source is missing, 403 when the authorizer refuses, 413 past the
// payload quota, 500 when the authorizer or the function fails.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LOCAL_ACCOUNT, LOCAL_REGION, type LambdaRuntime } from './lambda-runtime';
import type { HttpAuthorizer, Route } from '#local/template';
import { DEV_USER, type DevIssuer } from './dev-issuer';

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

/** The value of each identity source (`$request.header.X`, `$request.querystring.x`), or undefined when one is missing. */
function identityValues(sources: string[], req: IncomingMessage, url: URL): string[] | undefined {
  const values: string[] = [];
  for (const source of sources) {
    const header = /^\$request\.header\.(.+)$/i.exec(source)?.[1];
    const query = /^\$request\.querystring\.(.+)$/.exec(source)?.[1];
    const raw = header ? req.headers[header.toLowerCase()] : query ? url.searchParams.get(query) ?? undefined : undefined;
    const value = Array.isArray(raw) ? raw.join(',') : raw;
    if (!value) return undefined;
    values.push(value);
  }
  return values;
}

type AuthorizerAnswer = { allowed: true; context: Record<string, unknown> } | { allowed: false } | { failed: string };

/** An authorizer's answer as API Gateway reads it: a simple response, or an IAM policy (every statement Allow). */
function readAuthorizerAnswer(authorizer: HttpAuthorizer, result: unknown): AuthorizerAnswer {
  const answer = result as { isAuthorized?: unknown; context?: unknown; policyDocument?: { Statement?: { Effect?: string }[] } } | null | undefined;
  const context = answer?.context && typeof answer.context === 'object' ? answer.context as Record<string, unknown> : {};
  if (authorizer.simpleResponses) {
    if (typeof answer?.isAuthorized !== 'boolean') return { failed: 'its answer has no boolean isAuthorized' };
    return answer.isAuthorized ? { allowed: true, context } : { allowed: false };
  }
  const statements = answer?.policyDocument?.Statement;
  if (!Array.isArray(statements)) return { failed: 'its answer has no policyDocument' };
  return statements.length > 0 && statements.every((st) => st.Effect === 'Allow') ? { allowed: true, context } : { allowed: false };
}

export function httpGateway(options: { routes: Route[]; runtime: LambdaRuntime; issuer: Pick<DevIssuer, 'issue'>; basePath: string }) {
  const routes: CompiledRoute[] = options.routes.map((route) => {
    const params: string[] = [];
    const source = route.path.replace(/\{([^}+]+)\+?\}/g, (_, name: string) => {
      params.push(name);
      return '([^/]+)';
    });
    return { ...route, pattern: new RegExp(`^${source}$`), params };
  });
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

    const pathParameters = Object.fromEntries(match.route.params.map((name, i) => [name, decodeURIComponent(match.found![i + 1]!)]));
    const event = toEvent(req, url, path, body, match.route.key, pathParameters, requestId);

    const authorizer = match.route.authorizer;
    if (authorizer) {
      // Without the identity source API Gateway refuses before calling the authorizer.
      const identitySource = identityValues(authorizer.identitySource, req, url);
      if (!identitySource) return gatewayAnswer(res, 401, 'Unauthorized');
      const { body: _body, isBase64Encoded: _encoded, ...request } = event;
      const outcome = await options.runtime.invoke(authorizer.handler, {
        ...request, type: 'REQUEST', routeArn: `arn:aws:execute-api:${LOCAL_REGION}:${LOCAL_ACCOUNT}:local/$default/${method}${path}`, identitySource,
      });
      const answer = outcome.ok ? readAuthorizerAnswer(authorizer, outcome.result) : { failed: `${outcome.error.errorType}: ${outcome.error.errorMessage}` };
      if ('failed' in answer) {
        console.error(`[api] the authorizer ${authorizer.handler} failed: ${answer.failed}`);
        return gatewayAnswer(res, 500, 'Internal Server Error');
      }
      if (!answer.allowed) return gatewayAnswer(res, 403, 'Forbidden');
      // The handler gets the authorizer's context as API Gateway hands it on.
      (event.requestContext as { authorizer?: unknown }).authorizer = { lambda: answer.context };
    }
    if (Buffer.byteLength(JSON.stringify(event)) > INVOKE_QUOTA_BYTES) return tooLarge();
    const outcome = await options.runtime.invoke(match.route.handler, event);
    if (!outcome.ok) {
      if (!options.runtime.stopping) console.error(`[api] ${match.route.handler} failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
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
  pathParameters: Record<string, string>, requestId: string,
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
    },
  };
  return event as APIGatewayProxyEventV2;
}
