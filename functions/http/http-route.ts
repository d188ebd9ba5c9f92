// The doorway every HTTP handler shares: owner from the Lambda authorizer's context, JSON and zod parsing, one mapping from
// failures to the API error body, and the invocation's own log context (events/invocation.ts). A route gets
// the parsed parts of the request, never the raw event, and no failure leaks a stack.
import type { APIGatewayProxyEventV2WithLambdaAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { isDomainError, zodDetails, type ErrorDetail } from '#domain/errors';
import { logger } from '#adapters/logger';
import { invocation } from '#events/invocation';
import { HTTP_ROUTES, type HttpHandlerName, type HttpRoute } from './routes';

/** A route as the doorway reads it: the schemas of the request's parts, whether a token is asked for, and the
 * status a success answers unless the route says otherwise. The table's entries (routes.ts) are such routes. */
export type RouteSpec = Pick<HttpRoute, 'auth' | 'params' | 'query' | 'headers' | 'body'> & { readonly response: { readonly status: number } };

type Part = 'params' | 'query' | 'headers' | 'body';
/** What the route's schema for that part parses to; undefined where the route has none. */
type Parsed<R, K extends Part> = R extends Record<K, infer S extends z.ZodType> ? z.output<S> : undefined;

export interface RouteInput<R extends RouteSpec> {
  owner: string;
  body: Parsed<R, 'body'>;
  /** The path parameters, parsed with the route's `params`. */
  path: Parsed<R, 'params'>;
  query: Parsed<R, 'query'>;
  /** Parsed with the route's `headers`, which names them lower-cased. */
  headers: Parsed<R, 'headers'>;
  requestId: string;
  now: Date;
}

/** What the route answers: JSON its response schema accepts, where it has one. */
type Answer<R> = R extends { readonly response: { readonly schema: infer S extends z.ZodType } } ? z.input<S> : unknown;

export interface RouteResult<R = unknown> {
  /** @default the route's `response.status` */
  status?: number;
  body?: Answer<R>;
  headers?: Record<string, string>;
}

/** What the HTTP API's Lambda authorizer (handlers/authorize.ts) hands on: who is calling, with which kind of token. */
export interface AuthorizerContext { owner?: string; tokenKind?: 'user' | 'api-token'; tokenId?: string }
export type HttpEvent = APIGatewayProxyEventV2WithLambdaAuthorizer<AuthorizerContext>;
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

const WHERE = {
  body: { prefix: undefined, message: 'Some values in the request are not valid; see details.' },
  path: { prefix: 'path', message: 'The request path is not valid; see details.' },
  query: { prefix: 'query', message: 'The request query string is not valid; see details.' },
  headers: { prefix: 'headers', message: 'The request headers are not valid; see details.' },
} as const;

function parse(schema: z.ZodType | undefined, value: () => unknown, where: keyof typeof WHERE): unknown {
  if (!schema) return undefined;
  const result = schema.safeParse(value());
  if (result.success) return result.data;
  throw new RouteError(errorResponse(422, 'INVALID_REQUEST', WHERE[where].message, zodDetails(result.error, WHERE[where].prefix)));
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

/** The HTTP API's Lambda authorizer (app/authenticate.ts, shared with the WebSocket's) decided who calls; a route
 * that requires a token and finds no owner in its context was reached without that authorizer. */
function ownerOf(event: HttpEvent): string {
  const owner = event.requestContext?.authorizer?.lambda?.owner;
  if (typeof owner !== 'string' || !owner) throw new RouteError(errorResponse(401, 'UNAUTHORIZED', 'Sign in again: the request names no signed-in user or API token.'));
  return owner;
}

function toResponse(result: RouteResult, route: RouteSpec): HttpResult {
  return {
    statusCode: result.status ?? route.response.status,
    headers: { ...JSON_HEADERS, ...result.headers },
    body: result.body === undefined ? '' : JSON.stringify(result.body),
  };
}

/** The handler of the route of that name in HTTP_ROUTES: the table's schemas parse the request and type what
 * `fn` gets and answers, so a route's shape is written once. `route` carries the name, so a test can tell that
 * each handler file serves the route it is named for. */
export function httpRoute<N extends HttpHandlerName>(name: N, fn: NoInfer<(input: RouteInput<(typeof HTTP_ROUTES)[N]>) => Promise<RouteResult<(typeof HTTP_ROUTES)[N]>>>) {
  return Object.assign(httpHandler(HTTP_ROUTES[name], fn), { route: name });
}

/** The doorway for a route given as data. Handlers use httpRoute; the doorway's own tests give routes of their own. */
export function httpHandler<R extends RouteSpec>(route: R, fn: NoInfer<(input: RouteInput<R>) => Promise<RouteResult<R>>>) {
  const requestIdOf = (event: HttpEvent, awsRequestId: string | undefined) => event.requestContext?.requestId ?? awsRequestId ?? 'local';
  return invocation({
    // API Gateway's event is taken as it comes: its parts are parsed below, where a failure is an API answer.
    event: z.custom<HttpEvent>(),
    logKeys: (event, context) => ({ requestId: requestIdOf(event, context.awsRequestId), route: event.routeKey }),
  }, async (event, context): Promise<HttpResult> => {
    try {
      const owner = route.auth === false ? '' : ownerOf(event);
      // Parsed in this order, so a request wrong in several parts is told about the first of them.
      const body = parse(route.body, () => readBody(event), 'body');
      const path = parse(route.params, () => event.pathParameters ?? {}, 'path');
      const query = parse(route.query, () => event.queryStringParameters ?? {}, 'query');
      const headers = parse(route.headers, () => Object.fromEntries(Object.entries(event.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v])), 'headers');
      // The cast restates what the route's schemas just checked.
      const input = { owner, body, path, query, headers, requestId: requestIdOf(event, context.awsRequestId), now: new Date() } as RouteInput<R>;
      const response = toResponse(await fn(input), route);
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
