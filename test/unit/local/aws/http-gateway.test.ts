// The local HTTP API's Lambda authorizer, as API Gateway runs a REQUEST authorizer with simple responses: read
// from the synthesized template, invoked (never cached) before the route's function, and its answers mapped to
// API Gateway's own bodies. The functions here are stand-ins, so each answer of the authorizer can be chosen.
import { afterEach, describe, expect, it } from 'vitest';
import { httpGateway } from '#local/aws/http-gateway';
import type { InvokeOutcome, LambdaRuntime } from '#local/aws/lambda-runtime';
import { closeServer, startServer } from '#local/http-util';
import { StackTemplate, type Route } from '#local/template';
import { localTemplate } from '#local/template-cache';

let stopServer: (() => Promise<void>) | undefined;
afterEach(async () => {
  await stopServer?.();
  stopServer = undefined;
});

const AUTHORIZER = { handler: 'authz', identitySource: ['$request.header.Authorization'], simpleResponses: true, payloadFormatVersion: '2.0' as const };
const ROUTES: Route[] = [
  { key: 'GET /things', method: 'GET', path: '/things', handler: 'things', authorizer: AUTHORIZER },
  { key: 'GET /health', method: 'GET', path: '/health', handler: 'health' },
];

/** A gateway whose authorizer answers `authorize(event)`; the route's function echoes the authorizer context it got. */
async function gateway(authorize: (event: Record<string, unknown>) => InvokeOutcome) {
  const calls: { name: string; event: Record<string, unknown> }[] = [];
  const runtime = {
    invoke: async (name: string, event: Record<string, unknown>): Promise<InvokeOutcome> => {
      calls.push({ name, event });
      if (name === 'authz') return authorize(event);
      const context = (event.requestContext as { authorizer?: unknown }).authorizer ?? null;
      return { ok: true, result: { statusCode: 200, body: JSON.stringify({ handler: name, authorizer: context }) } };
    },
  } as unknown as LambdaRuntime;
  const handle = httpGateway({ routes: ROUTES, runtime, issuer: { issue: async () => 'dev' }, basePath: '' });
  const server = await startServer((req, res) => void handle(req, res));
  stopServer = () => closeServer(server.server);
  const get = async (path: string, authorization?: string) => {
    const res = await fetch(`${server.url}${path}`, { headers: authorization ? { authorization } : {} });
    return { status: res.status, text: await res.text() };
  };
  return { get, calls };
}

describe('the local HTTP API’s Lambda authorizer', () => {
  it('answers 401 {"message":"Unauthorized"} without the identity source, never calling the authorizer', async () => {
    const { get, calls } = await gateway(() => ({ ok: true, result: { isAuthorized: true } }));
    expect(await get('/things')).toEqual({ status: 401, text: '{"message":"Unauthorized"}' });
    expect(calls).toEqual([]);
  });

  it('hands the authorizer a payload 2.0 REQUEST event, and its context to the function as authorizer.lambda', async () => {
    const { get, calls } = await gateway(() => ({ ok: true, result: { isAuthorized: true, context: { owner: 'alice', tokenKind: 'api-token', tokenId: 't1' } } }));
    const res = await get('/things', 'Bearer lwk_x');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.text)).toEqual({ handler: 'things', authorizer: { lambda: { owner: 'alice', tokenKind: 'api-token', tokenId: 't1' } } });
    expect(calls[0]).toMatchObject({ name: 'authz', event: { version: '2.0', type: 'REQUEST', routeKey: 'GET /things', identitySource: ['Bearer lwk_x'], headers: { authorization: 'Bearer lwk_x' } } });
  });

  it('answers 403 {"message":"Forbidden"} when the authorizer says no, and runs it on every request (no cache)', async () => {
    const { get, calls } = await gateway(() => ({ ok: true, result: { isAuthorized: false } }));
    expect(await get('/things', 'Bearer nope')).toEqual({ status: 403, text: '{"message":"Forbidden"}' });
    expect(await get('/things', 'Bearer nope')).toEqual({ status: 403, text: '{"message":"Forbidden"}' });
    expect(calls.map((c) => c.name)).toEqual(['authz', 'authz']);
  });

  it('answers 500 {"message":"Internal Server Error"} when the authorizer fails or answers no isAuthorized', async () => {
    const failing = await gateway(() => ({ ok: false, error: { errorType: 'Error', errorMessage: 'boom' } }));
    expect(await failing.get('/things', 'Bearer x')).toEqual({ status: 500, text: '{"message":"Internal Server Error"}' });
    expect(failing.calls.map((c) => c.name)).toEqual(['authz']);
    await stopServer?.();
    const odd = await gateway(() => ({ ok: true, result: { allowed: 'yes' } }));
    expect(await odd.get('/things', 'Bearer x')).toEqual({ status: 500, text: '{"message":"Internal Server Error"}' });
  });

  it('leaves a public route to its function', async () => {
    const { get, calls } = await gateway(() => ({ ok: true, result: { isAuthorized: false } }));
    expect((await get('/health')).status).toBe(200);
    expect(calls.map((c) => c.name)).toEqual(['health']);
  });
});

describe('the template’s HTTP authorizer, as the local cloud reads it', () => {
  it('is the authorize handler, REQUEST with simple responses on the Authorization header, on every route but the public ones', async () => {
    const routes = new StackTemplate(await localTemplate()).httpRoutes();
    for (const route of routes) {
      if (['GET /health', 'GET /openapi.json'].includes(route.key)) expect(route.authorizer, route.key).toBeUndefined();
      else expect(route.authorizer, route.key).toEqual({ handler: 'authorize', identitySource: ['$request.header.Authorization'], simpleResponses: true, payloadFormatVersion: '2.0' });
    }
    expect(routes.map((r) => r.key)).toEqual(expect.arrayContaining(['POST /tokens', 'GET /tokens', 'DELETE /tokens/{tokenId}']));
  });
});
