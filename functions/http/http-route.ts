// The doorway every HTTP handler shares: owner from the JWT claims, JSON and zod parsing, one mapping from
// failures to the API error body, and the invocation's own log context (events/invocation.ts). A route gets
// the parsed parts of the request, never the raw event, and no failure leaks a stack.
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { isDomainError, type ErrorDetail } from '#domain/errors';
import { logger } from '#adapters/logger';
import { invocation } from '#events/invocation';

type Schema = z.ZodType | undefined;
type Parsed<S extends Schema> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteSchemas<B extends Schema, P extends Schema, Q extends Schema> {
  body?: B;
  path?: P;
  query?: Q;
  /** false for the few public routes (GET /health). */
  auth?: boolean;
}

export interface RouteInput<B extends Schema, P extends Schema, Q extends Schema> {
  owner: string;
  body: Parsed<B>;
  path: Parsed<P>;
  query: Parsed<Q>;
  /** Header names lower-cased. */
  headers: Record<string, string | undefined>;
  requestId: string;
  now: Date;
}

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type HttpResult = APIGatewayProxyStructuredResultV2 & { statusCode: number; headers: Record<string, string>; body: string };

const JSON_HEADERS = { 'content-type': 'application/json' };

export const errorResponse = (status: number, code: string, message: string, details?: ErrorDetail[]): HttpResult => ({
  statusCode: status,
  headers: { ...JSON_HEADERS },
  body: JSON.stringify({ error: { code, message, ...(details?.length ? { details } : {}) } }),
});

class RouteError extends Error {
  constructor(readonly response: HttpResult) {
    super('route error');
  }
}

/** zod issues as API details: `params.steps` rather than a path array. */
export function zodDetails(error: z.ZodError, prefix?: string): ErrorDetail[] {
  return error.issues.map((issue) => ({
    field: [prefix, ...issue.path.map(String)].filter(Boolean).join('.') || (prefix ?? 'body'),
    message: issue.message,
  }));
}

function parse<S extends Schema>(schema: S, value: unknown, where: 'body' | 'path' | 'query'): Parsed<S> {
  if (!schema) return undefined as Parsed<S>;
  const result = schema.safeParse(value);
  if (result.success) return result.data as Parsed<S>;
  const details = zodDetails(result.error, where === 'body' ? undefined : where);
  const message = where === 'body' ? 'Some values in the request are not valid; see details.' : `The request ${where === 'path' ? 'path' : 'query string'} is not valid; see details.`;
  throw new RouteError(errorResponse(422, 'INVALID_REQUEST', message, details));
}

function readBody(event: HttpEvent): unknown {
  if (!event.body) return {};
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RouteError(errorResponse(400, 'MALFORMED_JSON', 'The request body is not valid JSON. Send a JSON object with content-type application/json.'));
  }
}

function ownerOf(event: HttpEvent): string {
  const sub = event.requestContext?.authorizer?.jwt?.claims?.sub;
  if (typeof sub !== 'string' || !sub) throw new RouteError(errorResponse(401, 'UNAUTHORIZED', 'Sign in again: the request carries no valid token.'));
  return sub;
}

function toResponse(result: RouteResult): HttpResult {
  return {
    statusCode: result.status,
    headers: { ...JSON_HEADERS, ...result.headers },
    body: result.body === undefined ? '' : JSON.stringify(result.body),
  };
}

export function httpRoute<B extends Schema = undefined, P extends Schema = undefined, Q extends Schema = undefined>(
  schemas: RouteSchemas<B, P, Q>,
  fn: (input: RouteInput<B, P, Q>) => Promise<RouteResult>,
) {
  const requestIdOf = (event: HttpEvent, awsRequestId: string | undefined) => event.requestContext?.requestId ?? awsRequestId ?? 'local';
  return invocation({
    // API Gateway's event is taken as it comes: its parts are parsed below, where a failure is an API answer.
    event: z.custom<HttpEvent>(),
    logKeys: (event, context) => ({ requestId: requestIdOf(event, context.awsRequestId), route: event.routeKey }),
  }, async (event, context): Promise<HttpResult> => {
    try {
      const owner = schemas.auth === false ? '' : ownerOf(event);
      const headers = Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
      const input: RouteInput<B, P, Q> = {
        owner,
        body: schemas.body ? parse(schemas.body, readBody(event), 'body') : (undefined as Parsed<B>),
        path: parse(schemas.path as P, event.pathParameters ?? {}, 'path'),
        query: parse(schemas.query as Q, event.queryStringParameters ?? {}, 'query'),
        headers,
        requestId: requestIdOf(event, context.awsRequestId),
        now: new Date(),
      };
      const response = toResponse(await fn(input));
      logger.info('request done', { status: response.statusCode });
      return response;
    } catch (error) {
      const response = failureResponse(error);
      if (response.statusCode >= 500) logger.error('request failed', error as Error);
      else logger.info('request refused', { status: response.statusCode });
      return response;
    }
  });
}

export function failureResponse(error: unknown): HttpResult {
  if (error instanceof RouteError) return error.response;
  if (isDomainError(error)) return errorResponse(error.status, error.code, error.message, error.details);
  return errorResponse(500, 'INTERNAL', 'Something went wrong on our side. Try again; if it keeps failing, contact support with the request id.');
}
