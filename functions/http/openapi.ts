// The OpenAPI document of the HTTP API, generated from the route table and the same zod schemas the handlers
// parse with.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import * as s from '#domain/schemas';
import { httpRoutes, type HttpRoute } from './routes';

/** Schemas that become named components, which operations refer to rather than repeat. */
const COMPONENTS = ['Adapter', 'AdapterList', 'ErrorBody', 'Trainer', 'TrainerList', 'Dataset', 'DatasetVersion',
  'ValidationReport', 'Job', 'JobList', 'ArtifactLink', 'CreateUploadResponse', 'ServerMessage'] as const;

const GatewayError = s.GatewayError.meta({ id: 'GatewayError' });

type ErrorCode = 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 | 500;
/** What each error means, and whether API Gateway answers it too, in its own body. */
const ERRORS: Record<ErrorCode, { text: string; gateway?: true }> = {
  400: { text: 'Malformed JSON body' },
  401: { text: 'Missing or invalid token', gateway: true },
  403: { text: 'A token the authorizer refuses (gateway: sign in again, or use a live API token)', gateway: true },
  404: { text: 'Not found (or another user’s)' },
  409: { text: 'Wrong state' },
  413: { text: 'Body over 10 MB (gateway) or upload too large', gateway: true },
  422: { text: 'Invalid values, field by field' },
  429: { text: 'Too many requests (gateway throttling)', gateway: true },
  500: { text: 'Unexpected failure; never a stack trace', gateway: true },
};

/** The errors a route can answer, written once: 400 and 413 where there is a body; 401 and 403 where a token is
 * asked for; 404 where the path names a record (or the route says it refers to one); 409 where the route says a
 * state can refuse it; 422 where any part of the request is parsed; 429 and 500 everywhere. */
export function routeErrors(route: HttpRoute): ErrorCode[] {
  const parsed = Boolean(route.body ?? route.params ?? route.query ?? route.headers);
  const codes: [ErrorCode, boolean][] = [
    [400, Boolean(route.body)],
    [401, route.auth !== false],
    [403, route.auth !== false],
    [404, Boolean(route.params) || Boolean(route.refusals?.includes(404))],
    [409, Boolean(route.refusals?.includes(409))],
    [413, Boolean(route.body)],
    [422, parsed],
    [429, true],
    [500, true],
  ];
  return codes.filter(([, applies]) => applies).map(([code]) => code);
}

/** `create-job` → `createJob`. */
const operationId = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** The server is the API's root, relative to where this document was fetched, unless a URL is given. */
export function openApiDocument(serverUrl?: string) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', {
    type: 'http', scheme: 'bearer', bearerFormat: 'JWT or lwk_ API token',
    description: 'A user’s OpenID Connect ID token, or an API token from POST /tokens.',
  });
  // A schema with an id becomes a named component; `.meta` returns a copy, so answers are rewritten to use it.
  const named = new Map<z.ZodType, z.ZodType>(COMPONENTS.map((name) => [s[name], (s[name] as z.ZodType).meta({ id: name })]));
  const withRefs = (schema: z.ZodType): z.ZodType => {
    const component = named.get(schema);
    if (component) return component;
    // A list answer of its own ({ datasets: [Dataset] }) refers to its items' component.
    if (schema instanceof z.ZodArray) return z.array(withRefs(schema.element as z.ZodType));
    if (schema instanceof z.ZodObject && Object.values(schema.shape).some((field) => field !== withRefs(field as z.ZodType))) {
      return z.object(Object.fromEntries(Object.entries(schema.shape).map(([key, field]) => [key, withRefs(field as z.ZodType)])));
    }
    return schema;
  };
  const json = (schema: z.ZodType, description: string) => ({ description, content: { 'application/json': { schema: withRefs(schema) } } });
  const errorBody = withRefs(s.ErrorBody);
  const error = (code: ErrorCode) => {
    const { text, gateway } = ERRORS[code];
    return { description: text, content: { 'application/json': { schema: gateway ? z.union([errorBody, GatewayError]) : errorBody } } };
  };

  for (const [name, route] of httpRoutes()) {
    const { status, schema, description } = route.response;
    const authorized = route.auth !== false;
    registry.registerPath({
      method: route.method.toLowerCase() as 'get' | 'post' | 'delete',
      path: route.path,
      operationId: operationId(name),
      summary: route.summary,
      security: authorized ? [{ [bearer.name]: [] }] : [],
      request: {
        ...(route.body ? { body: { content: { 'application/json': { schema: route.body } } } } : {}),
        ...(route.params ? { params: route.params } : {}),
        ...(route.query ? { query: route.query } : {}),
        ...(route.headers ? { headers: route.headers } : {}),
      },
      responses: {
        [status]: schema ? json(schema, description) : { description },
        ...Object.fromEntries(routeErrors(route).map((code) => [code, error(code)])),
      },
    });
  }

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Loraworks API', version: '1', description: 'LoRA training workspace. WebSocket messages: see the ServerMessage schema.' },
    servers: [serverUrl ? { url: serverUrl } : { url: '/', description: 'The API root: where this document was fetched from' }],
  });
}
