// Builds API Gateway HTTP API (payload v2) events as the JWT authorizer delivers them.
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';

export function httpEvent(options: {
  owner?: string | null;
  body?: unknown;
  rawBody?: string;
  path?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  routeKey?: string;
}): APIGatewayProxyEventV2WithJWTAuthorizer {
  const claims = options.owner === null ? {} : { sub: options.owner ?? 'alice', token_use: 'id', aud: 'web-client' };
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
      authorizer: { principalId: '', integrationLatency: 0, jwt: { claims, scopes: [] } },
    } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer['requestContext'],
  };
}

export const context = { awsRequestId: 'aws-req-1', functionName: 'test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;

export const parseBody = <T = unknown>(response: { body?: string }): T => JSON.parse(response.body || 'null') as T;
