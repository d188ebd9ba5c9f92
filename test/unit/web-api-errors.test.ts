// The web app's API client reads both kinds of error answer: a handler's `{"error": {code, message, details}}`
// and API Gateway's own `{"message": …}` (or no JSON at all), each as a sentence a person can act on.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiClient, ApiError } from '#web/api';

/** A client whose fetch answers once with that status and body. */
function clientAnswering(status: number, body: string, statusText = '') {
  vi.stubGlobal('fetch', vi.fn(async () => new Response(body, { status, statusText, headers: { 'content-type': 'application/json' } })));
  const client = new ApiClient('https://api.test', 'token');
  const onUnauthorized = vi.fn();
  client.onUnauthorized = onUnauthorized;
  return { client, onUnauthorized };
}

async function failure(promise: Promise<unknown>): Promise<ApiError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('ApiClient errors', () => {
  it('keeps a handler’s error body: code, message and details', async () => {
    const { client, onUnauthorized } = clientAnswering(422, JSON.stringify({ error: { code: 'INVALID_REQUEST', message: 'Fix the name.', details: [{ field: 'name', message: 'Too long.' }] } }));
    const error = await failure(client.createDataset('x'));
    expect(error).toMatchObject({ status: 422, code: 'INVALID_REQUEST', message: 'Fix the name.', details: [{ field: 'name', message: 'Too long.' }], source: 'handler' });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('turns the gateway’s 401 {"message":"Unauthorized"} into "sign in again" and signs out, as a handler’s 401 does', async () => {
    const { client, onUnauthorized } = clientAnswering(401, '{"message":"Unauthorized"}', 'Unauthorized');
    const error = await failure(client.listDatasets());
    expect(error).toMatchObject({ status: 401, code: 'UNAUTHORIZED', source: 'gateway' });
    expect(error.message).toMatch(/sign in again/i);
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('signs out on a handler’s 401 too', async () => {
    const { client, onUnauthorized } = clientAnswering(401, JSON.stringify({ error: { code: 'UNAUTHORIZED', message: 'Sign in again: the request carries no valid token.' } }));
    expect(await failure(client.listDatasets())).toMatchObject({ code: 'UNAUTHORIZED', source: 'handler' });
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('treats the gateway’s 403 {"message":"Forbidden"} as "sign in again"', async () => {
    const { client, onUnauthorized } = clientAnswering(403, '{"message":"Forbidden"}');
    expect((await failure(client.listJobs())).message).toMatch(/sign in again/i);
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('says a 413 was too large, whether the gateway sent JSON or not', async () => {
    for (const body of ['{"message":"Request Entity Too Large"}', 'HTTP content length exceeded 10485760 bytes.']) {
      const { client, onUnauthorized } = clientAnswering(413, body);
      const error = await failure(client.createDataset('x'));
      expect(error).toMatchObject({ status: 413, code: 'REQUEST_TOO_LARGE', source: 'gateway' });
      expect(error.message).toMatch(/too large/i);
      expect(onUnauthorized).not.toHaveBeenCalled();
    }
  });

  it('tells the gateway’s 404 for an unknown route from a handler’s record not found', async () => {
    const gateway = await failure(clientAnswering(404, '{"message":"Not Found"}').client.getDataset('ds_1'));
    expect(gateway).toMatchObject({ status: 404, code: 'ROUTE_NOT_FOUND', source: 'gateway' });
    const handler = await failure(clientAnswering(404, JSON.stringify({ error: { code: 'DATASET_NOT_FOUND', message: 'No such dataset.' } })).client.getDataset('ds_1'));
    expect(handler).toMatchObject({ status: 404, code: 'DATASET_NOT_FOUND', message: 'No such dataset.', source: 'handler' });
  });

  it('names the gateway’s message for other answers, and says a 5xx is on our side', async () => {
    const error = await failure(clientAnswering(500, '{"message":"Internal Server Error"}').client.listJobs());
    expect(error).toMatchObject({ status: 500, code: 'HTTP_500', source: 'gateway' });
    expect(error.message).toMatch(/^The API answered 500 \(Internal Server Error\)\. Something went wrong on our side/);
  });
});
