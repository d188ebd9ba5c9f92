import './handler-env';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import type { ErrorBody } from '#domain/schemas';
import type { HttpEvent, HttpResult } from '#http/http-route';
import { HTTP_ROUTES, httpRoutes } from '#http/routes';
import { context, httpEvent, parseBody } from './http-events';

type Handler = ((event: HttpEvent, context: unknown) => Promise<HttpResult>) & { route?: string };

const dir = join(__dirname, '../../functions/handlers');
const handlers = new Map(await Promise.all(readdirSync(dir).filter((file) => file.endsWith('.ts')).map(async (file) =>
  [basename(file, '.ts'), ((await import(join(dir, file))) as { handler: Handler }).handler] as const)));

const ddb = mockClient(DynamoDBDocumentClient);
ddb.onAnyCommand().rejects(new Error('the handler went past its route’s schemas'));

describe('the HTTP handlers', () => {
  it('each serve the route their file is named for, one file per route', () => {
    const served = [...handlers].flatMap(([file, handler]) => (handler.route === undefined ? [] : [[file, handler.route]]));
    expect(Object.fromEntries(served)).toEqual(Object.fromEntries(Object.keys(HTTP_ROUTES).map((name) => [name, name])));
  });

  it.each(httpRoutes().filter(([, route]) => route.body))('%s refuses a body its route’s schema refuses (422), before any work', async (name, route) => {
    const path = Object.fromEntries(Object.keys(route.params?.shape ?? {}).map((key) => [key, 'x1']));
    const response = await handlers.get(name)!(httpEvent({ body: 'not an object', path }), context);
    expect(response.statusCode).toBe(422);
    expect(parseBody<ErrorBody>(response).error).toMatchObject({ code: 'INVALID_REQUEST', details: [{ field: 'body' }] });
  });
});
