// Builds API Gateway HTTP API (payload v2) events as they reach a handler behind the Lambda authorizer
// (handlers/authorize.ts): its context is `requestContext.authorizer.lambda`.
import type { Context } from 'aws-lambda';
import type { HttpEvent } from '#http/http-route';

export function httpEvent(options: {
  owner?: string | null;
  body?: unknown;
  rawBody?: string;
  path?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  routeKey?: string;
}): HttpEvent {
  const lambda = options.owner === null ? {} : { owner: options.owner ?? 'alice', tokenKind: 'user' as const };
  return {
    version: '2.0',
    routeKey: options.routeKey ?? 'POST /test',
    rawPath: '/test',
    rawQueryString: '',
    headers: { 'content-type': 'application/json', ...options.headers },
    queryStringParameters: options.query,
    pathParameters: options.path,
    body: options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    isBase64Encoded: false,
    requestContext: {
      requestId: 'req-1',
      authorizer: { lambda },
    } as unknown as HttpEvent['requestContext'],
  };
}

export const context = { awsRequestId: 'aws-req-1', functionName: 'test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

export const parseBody = <T = unknown>(response: { body?: string }): T => JSON.parse(response.body || 'null') as T;
