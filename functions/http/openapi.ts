// The OpenAPI document of the HTTP API, generated from the route table and the same zod schemas the handlers
// parse with.
import { OpenAPIRegistry, OpenApiGeneratorV31 } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import * as s from '#domain/schemas';
import { httpRoutes } from './routes';

/** Schemas that become named components, which operations refer to rather than repeat. */
const COMPONENTS = ['Adapter', 'AdapterList', 'ErrorBody', 'Trainer', 'TrainerList', 'Dataset', 'DatasetVersion',
  'ValidationReport', 'Job', 'JobList', 'ArtifactLink', 'CreateUploadResponse', 'ServerMessage'] as const;

const ERRORS = [[400, 'Malformed request'], [401, 'Missing or invalid token'], [404, 'Not found (or another user’s)'],
  [409, 'Wrong state'], [422, 'Invalid values, field by field']] as const;

export function openApiDocument(serverUrl?: string) {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
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
  const errors = Object.fromEntries(ERRORS.map(([code, text]) => [code, json(s.ErrorBody, text)]));

  for (const [, route] of httpRoutes()) {
    const { status, schema, description } = route.response;
    const authorized = route.auth !== false;
    registry.registerPath({
      method: route.method.toLowerCase() as 'get' | 'post' | 'delete',
      path: route.path,
      summary: route.summary,
      ...(authorized ? { security: [{ [bearer.name]: [] }] } : {}),
      request: {
        ...(route.body ? { body: { content: { 'application/json': { schema: route.body } } } } : {}),
        ...(route.params ? { params: route.params } : {}),
        ...(route.query ? { query: route.query } : {}),
        ...(route.headers ? { headers: route.headers } : {}),
      },
      responses: { [status]: schema ? json(schema, description) : { description }, ...(authorized ? errors : {}) },
    });
  }

  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Loraworks API', version: '1', description: 'LoRA training workspace. WebSocket messages: see the ServerMessage schema.' },
    ...(serverUrl ? { servers: [{ url: serverUrl }] } : {}),
  });
}
