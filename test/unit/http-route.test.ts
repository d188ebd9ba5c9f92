import './quiet-logs';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Conflict, Invalid, NotFound, TooLarge } from '#domain/errors';
import { httpHandler } from '#http/http-route';
import type { ErrorBody } from '#domain/schemas';
import { context, httpEvent, parseBody } from './http-events';

const Body = z.object({ name: z.string(), params: z.object({ steps: z.number().int().max(10) }) });
const echo = httpHandler({ body: Body, response: { status: 201 } }, async ({ owner, body }) => ({ status: 201, body: { owner, ...body } }));
const throwing = (error: unknown) => httpHandler({ response: { status: 200 } }, async () => { throw error; });

describe('the HTTP doorway', () => {
  it('hands the owner and the parsed body to the route', async () => {
    const response = await echo(httpEvent({ owner: 'bob', body: { name: 'x', params: { steps: 5 } } }), context);
    expect(response.statusCode).toBe(201);
    expect(response.headers['content-type']).toBe('application/json');
    expect(parseBody(response)).toEqual({ owner: 'bob', name: 'x', params: { steps: 5 } });
  });

  it('answers 401 when the authorizer’s context names no owner', async () => {
    const response = await echo(httpEvent({ owner: null, body: {} }), context);
    expect(response.statusCode).toBe(401);
    expect(parseBody<ErrorBody>(response).error.code).toBe('UNAUTHORIZED');
  });

  it('answers 401 when the route is reached without the authorizer’s context', async () => {
    const event = httpEvent({ body: { name: 'x', params: {} } });
    delete (event.requestContext as { authorizer?: unknown }).authorizer;
    const response = await echo(event, context);
    expect(response.statusCode).toBe(401);
    expect(parseBody<ErrorBody>(response).error).toMatchObject({ code: 'UNAUTHORIZED', message: expect.stringMatching(/Sign in again/) });
  });

  it('answers 400 with a clear message on malformed JSON', async () => {
    const response = await echo(httpEvent({ rawBody: '{"name": ' }), context);
    expect(response.statusCode).toBe(400);
    expect(parseBody<ErrorBody>(response).error.message).toMatch(/not valid JSON/);
  });

  it('lists invalid fields with their dotted paths', async () => {
    const response = await echo(httpEvent({ body: { name: 'x', params: { steps: 50 } } }), context);
    expect(response.statusCode).toBe(422);
    expect(parseBody<ErrorBody>(response).error.details).toEqual([{ field: 'params.steps', message: expect.any(String) }]);
  });

  it.each([
    [new NotFound('JOB_NOT_FOUND', 'No such job.'), 404],
    [new Conflict('JOB_FINISHED', 'Already done.'), 409],
    [new Invalid('INVALID_PARAMS', 'Bad.', [{ field: 'params.steps', message: 'too many' }]), 422],
    [new TooLarge('UPLOAD_TOO_LARGE', 'Too big.'), 413],
  ])('maps %s to its status and error body', async (error, status) => {
    const response = await throwing(error)(httpEvent({}), context);
    expect(response.statusCode).toBe(status);
    expect(parseBody<ErrorBody>(response).error).toMatchObject({ code: error.code, message: error.message });
  });

  it('hides unexpected failures behind a generic 500 without a stack', async () => {
    const response = await throwing(new Error('secret connection string at db.internal:5432'))(httpEvent({}), context);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret');
    expect(response.body).not.toContain('at ');
    expect(parseBody<ErrorBody>(response).error.code).toBe('INTERNAL');
  });

  it('lets public routes through without a token', async () => {
    const health = httpHandler({ auth: false, response: { status: 200 } }, async () => ({ status: 200, body: { status: 'ok' } }));
    expect((await health(httpEvent({ owner: null }), context)).statusCode).toBe(200);
  });

  it('answers the route’s success status unless the route function names another', async () => {
    const answering = (status?: number) => httpHandler({ response: { status: 202 } }, async () => ({ status, body: { ok: true } }));
    expect((await answering()(httpEvent({}), context)).statusCode).toBe(202);
    expect((await answering(200)(httpEvent({}), context)).statusCode).toBe(200);
  });
});
