// fal's queue protocol under /queue: submit to an endpoint, then status (polled, or streamed as server-sent
// events), result and cancel under its owner/app. Like fal, a body the trainer's schema refuses (a required field
// missing, a misnamed or mistyped one) is refused at submit with 422 and the field errors, and nothing is queued.
import type { IncomingMessage } from 'node:http';
import { readBody } from '#local/http-util';
import type { EmulatorCall } from './faults';
import { falInputErrors } from './input-check';
import { isObject, parseJson } from './json-body';
import { json, spoil, spoiledAtOnce, type Reply } from './reply';
import type { Surface } from './surface';
import type { EmulatedRequest, LogLine } from './request';
import { statusStream } from './status-stream';
import { appOf, emulatedTrainer } from './trainers';

export async function falQueueRoute(surface: Surface, method: string, path: string, query: URLSearchParams, req: IncomingMessage): Promise<Reply> {
  const { queue } = surface;
  const match = /^(.+?)\/requests\/([^/]+)(\/status\/stream|\/status|\/cancel)?$/.exec(path);
  if (!match) {
    if (method !== 'POST') return json(405, { detail: `Use POST to submit to ${path}.` });
    return submit(surface, path, req);
  }
  const [, app, rawId, action] = match as unknown as [string, string, string, string | undefined];
  const requestId = decodeURIComponent(rawId);
  const request = queue.get(requestId);
  // Like fal, a request is found only under the owner/app it was submitted to.
  if (!request || request.protocol !== 'fal' || appOf(request.endpoint) !== app || request.status === 'FORGOTTEN') {
    return action === '/cancel' ? json(404, { status: 'NOT_FOUND' }) : json(404, { detail: `Request ${requestId} not found.` });
  }
  const call: EmulatorCall = action?.startsWith('/status') ? 'status' : action === '/cancel' ? 'cancel' : 'result';
  if (method !== (call === 'cancel' ? 'PUT' : 'GET')) return json(405, { detail: `${method} is not supported here.` });
  const plan = queue.plan(requestId, call);
  const spoiled = spoiledAtOnce(plan);
  if (spoiled) return spoiled;
  const withLogs = query.get('logs') === '1' || query.get('logs') === 'true';
  if (action === '/status/stream') return statusStream(surface, requestId, withLogs, (request, logs) => statusBody(surface, request, logs));
  if (call === 'status') {
    const request = queue.get(requestId)!;
    const body = statusBody(surface, request, withLogs ? queue.logs(requestId) : null);
    return spoil(json(body.status === 'COMPLETED' ? 200 : 202, body), plan, () => ({ request_id: requestId }));
  }
  if (call === 'cancel') {
    const outcome = queue.cancel(requestId);
    const reply = outcome === 'requested' ? json(202, { status: 'CANCELLATION_REQUESTED' })
      : outcome === 'not-found' ? json(404, { status: 'NOT_FOUND' }) : json(400, { status: 'ALREADY_COMPLETED' });
    return spoil(reply, plan);
  }
  return spoil(result(surface, queue.get(requestId)!), plan);
}

async function submit(surface: Surface, endpoint: string, req: IncomingMessage): Promise<Reply> {
  const trainer = emulatedTrainer(endpoint);
  if (trainer?.protocol !== 'fal') return json(404, { detail: `Application '${endpoint}' not found.` });
  const raw = (await readBody(req)).toString('utf8');
  const input = parseJson(raw);
  if (input === undefined) return json(400, { detail: 'The request body is not valid JSON.' });
  if (!isObject(input)) return json(422, { detail: [{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type' }] });
  const plan = surface.tickets.planSubmit(raw, input, 'fal');
  const spoiled = spoiledAtOnce(plan);
  if (spoiled) return spoiled;
  const errors = falInputErrors(trainer, input);
  if (errors.length) return json(422, { detail: errors });
  const request = surface.queue.submit({ trainer, endpoint, input, ...surface.tickets.claim(raw, input) });
  await surface.queue.durable(request.requestId);
  const reply = json(200, { status: 'IN_QUEUE', request_id: request.requestId, ...links(surface, request), queue_position: request.queuePosition ?? 0 });
  return spoil(reply, plan, () => ({ status: 'IN_QUEUE' }));
}

/** What fal says of a request's status; a failed or cancelled request is COMPLETED too (its result tells). */
function statusBody(surface: Surface, request: EmulatedRequest, logs: LogLine[] | null): Record<string, unknown> {
  const base = { request_id: request.requestId, ...links(surface, request), logs };
  if (request.status === 'IN_QUEUE') return { ...base, status: 'IN_QUEUE', queue_position: request.queuePosition ?? 0 };
  if (request.status === 'IN_PROGRESS') return { ...base, status: 'IN_PROGRESS' };
  const seconds = request.startedAt && request.finishedAt ? (Date.parse(request.finishedAt) - Date.parse(request.startedAt)) / 1000 : 0;
  return { ...base, status: 'COMPLETED', metrics: { inference_time: seconds } };
}

function result(surface: Surface, request: EmulatedRequest): Reply {
  const headers = { 'x-fal-request-id': request.requestId };
  switch (request.status) {
    case 'COMPLETED':
      if (surface.results.resultExpired(request.requestId, 'result')) return json(request.faults.resultExpiredStatus ?? 404, { detail: `Request ${request.requestId} not found.` }, headers);
      return json(200, surface.results.output(request.requestId), headers);
    case 'CANCELLED':
      return json(499, { detail: 'The request was cancelled.', error_type: 'client_cancelled' }, { ...headers, 'x-fal-error-type': 'client_cancelled' });
    case 'FAILED': {
      const { status: code, body } = request.error ?? { status: 500, body: { detail: 'Training failed.' } };
      const type = (body as { error_type?: string }).error_type;
      return json(code, body, type ? { ...headers, 'x-fal-error-type': type } : headers);
    }
    default:
      return json(400, { detail: 'The request is still in progress.' }, headers);
  }
}

function links(surface: Surface, request: EmulatedRequest) {
  const base = `${surface.url()}/queue/${appOf(request.endpoint)}/requests/${request.requestId}`;
  return { response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` };
}
