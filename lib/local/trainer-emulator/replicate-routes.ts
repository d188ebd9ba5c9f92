// Replicate's trainings API under /replicate/v1: the account, the trainer model and its one version (with the
// schema of its train() inputs), creating a training on it, listing trainings page by page, getting and
// cancelling one. The input is checked against the trainer's train() inputs when the training is created, as
// Replicate checks it against the version's schema: a training it refuses (422) is not created.
import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { readBody } from '#local/http-util';
import type { EmulatorCall } from './faults';
import { replicateInputErrors, replicateValidationFailure } from './input-check';
import { isObject, parseJson } from './json-body';
import { REPLICATE_TRAINERS } from './replicate-trainers';
import { json, spoil, spoiledAtOnce, type Reply } from './reply';
import type { Surface } from './surface';
import type { EmulatedTrainer } from './trainer-schema';
import { isTerminalStatus, type EmulatedRequest } from './request';

/** The version id the emulator gives a Replicate trainer model. */
export const emulatedReplicateVersion = (model: string) => createHash('sha256').update(`loraworks-emulator:${model}`).digest('hex');

const trainerOf = (model: string) => REPLICATE_TRAINERS.find((trainer) => trainer.id === `replicate/${model}`);
const notFound = (what: string) => json(404, { title: 'Not found', detail: `${what} not found.`, status: 404 });

export async function replicateRoute(surface: Surface, method: string, path: string, query: URLSearchParams, req: IncomingMessage): Promise<Reply> {
  const { queue } = surface;
  if (path === 'account' && method === 'GET') {
    return json(200, { type: 'user', username: EMULATOR_ACCOUNT, name: 'Loraworks trainer emulator', github_url: null });
  }
  if (path === 'trainings' && method === 'GET') return listTrainings(surface, query.get('cursor'));
  const model = /^models\/([^/]+\/[^/]+)(\/versions(?:\/([^/]+))?)?$/.exec(path);
  if (model && method === 'GET') {
    const [, id, versions, versionId] = model as unknown as [string, string, string | undefined, string | undefined];
    const trainer = trainerOf(id);
    if (!trainer) return notFound(`Model ${id}`);
    const [owner, name] = id.split('/');
    const version = modelVersion(trainer, id);
    if (versionId !== undefined) return versionId === version.id ? json(200, version) : notFound(`Version ${versionId} of ${id}`);
    if (versions) return json(200, { previous: null, next: null, results: [version] });
    return json(200, { url: `${surface.url()}/replicate/${id}`, owner, name, visibility: 'public', is_official: false, run_count: 0, latest_version: version });
  }
  const create = /^models\/([^/]+\/[^/]+)\/versions\/([^/]+)\/trainings$/.exec(path);
  if (create && method === 'POST') return createTraining(surface, create[1]!, create[2]!, req);
  const get = /^trainings\/([^/]+)(\/cancel)?$/.exec(path);
  if (!get) return notFound(`${method} /v1/${path}`);
  const requestId = decodeURIComponent(get[1]!);
  const request = queue.get(requestId);
  if (!request || request.protocol !== 'replicate' || request.status === 'FORGOTTEN') return notFound(`Training ${requestId}`);
  const call: EmulatorCall = get[2] ? 'cancel' : 'status';
  if (method !== (call === 'cancel' ? 'POST' : 'GET')) return json(405, { detail: 'Method not allowed.' });
  const plan = queue.plan(requestId, call);
  const spoiled = spoiledAtOnce(plan);
  if (spoiled) return spoiled;
  if (call === 'cancel' && queue.cancel(requestId) === 'not-found') return notFound(`Training ${requestId}`);
  return spoil(json(200, training(surface, queue.get(requestId)!)), plan, () => ({ id: requestId }));
}

async function createTraining(surface: Surface, model: string, version: string, req: IncomingMessage): Promise<Reply> {
  const trainer = trainerOf(model);
  if (!trainer) return notFound(`Model ${model}`);
  if (version !== emulatedReplicateVersion(model)) return notFound(`Version ${version} of ${model}`);
  const raw = (await readBody(req)).toString('utf8');
  const body = parseJson(raw);
  if (body === undefined) return json(400, { title: 'Bad request', detail: 'The request body is not valid JSON.', status: 400 });
  const { destination, input } = isObject(body) ? body : {};
  if (typeof destination !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(destination)) {
    return json(422, { title: 'Invalid destination', detail: 'The destination must be an existing model, given as owner/name.', status: 422 });
  }
  if (!isObject(input)) {
    return json(422, { title: 'Input validation failed', status: 422, invalid_fields: [{ type: 'required', field: 'input', description: 'input is required' }] });
  }
  const plan = surface.tickets.planSubmit(raw, input, 'replicate');
  const spoiled = spoiledAtOnce(plan);
  if (spoiled) return spoiled;
  const invalid = replicateInputErrors(trainer, input);
  if (invalid.length) return json(422, replicateValidationFailure(invalid));
  const request = surface.queue.submit({ trainer, endpoint: trainer.id, input, destination, ...surface.tickets.claim(raw, input) });
  await surface.queue.durable(request.requestId);
  return spoil(json(201, training(surface, request)), plan, () => ({ status: 'starting' }));
}

/** The account every token belongs to, here. */
const EMULATOR_ACCOUNT = 'loraworks-emulator';
/** Trainings per page of GET /trainings. */
export const TRAININGS_PAGE_SIZE = 100;
const CREATED = '2025-01-01T00:00:00.000000Z';

const JSON_TYPES = { string: 'string', number: 'number', integer: 'integer', boolean: 'boolean', list: 'array' } as const;

/** The trainer's one version, with the OpenAPI schema of its train() inputs as Cog publishes it. */
function modelVersion(trainer: EmulatedTrainer, model: string) {
  const properties = Object.fromEntries(Object.entries(trainer.inputs).map(([field, spec], order) => [field, {
    title: field.split('_').map((word) => word[0]!.toUpperCase() + word.slice(1)).join(' '), 'x-order': order,
    ...(Array.isArray(spec.type) ? { enum: spec.type } : { type: JSON_TYPES[spec.type as keyof typeof JSON_TYPES] }),
    ...(field === trainer.dataset ? { format: 'uri' } : {}),
    ...(spec.min !== undefined ? { minimum: spec.min } : {}), ...(spec.max !== undefined ? { maximum: spec.max } : {}),
  }]));
  const required = Object.entries(trainer.inputs).filter(([, spec]) => spec.required).map(([field]) => field);
  return {
    id: emulatedReplicateVersion(model), created_at: CREATED, cog_version: '0.9.6',
    openapi_schema: {
      openapi: '3.0.2', info: { title: 'Cog', version: '0.1.0' },
      components: { schemas: { TrainingInput: { type: 'object', title: 'TrainingInput', properties, ...(required.length ? { required } : {}) } } },
    },
  };
}

/** Newest first; a page's `next` is the URL of the page after it, its cursor the last training it shows. */
function listTrainings(surface: Surface, cursor: string | null): Reply {
  const all = surface.queue.list().filter((request) => request.protocol === 'replicate' && request.status !== 'FORGOTTEN').reverse();
  let start = 0;
  if (cursor !== null) {
    const after = all.findIndex((request) => request.requestId === Buffer.from(cursor, 'base64url').toString('utf8'));
    if (after < 0) return json(400, { title: 'Invalid cursor', detail: 'The cursor does not name a page of trainings; follow the `next` URL of the previous page.', status: 400 });
    start = after + 1;
  }
  const page = all.slice(start, start + TRAININGS_PAGE_SIZE);
  const more = start + TRAININGS_PAGE_SIZE < all.length;
  const base = `${surface.url()}/replicate/v1/trainings`;
  return json(200, {
    previous: start > 0 ? (start - TRAININGS_PAGE_SIZE > 0 ? `${base}?cursor=${Buffer.from(all[start - TRAININGS_PAGE_SIZE - 1]!.requestId).toString('base64url')}` : base) : null,
    next: more ? `${base}?cursor=${Buffer.from(page.at(-1)!.requestId).toString('base64url')}` : null,
    results: page.map((request) => training(surface, request)),
  });
}

const REPLICATE_STATUS = { IN_QUEUE: 'starting', IN_PROGRESS: 'processing', COMPLETED: 'succeeded', FAILED: 'failed', CANCELLED: 'canceled', FORGOTTEN: 'failed' } as const;

function training(surface: Surface, request: EmulatedRequest) {
  const { queue, results } = surface;
  const base = `${surface.url()}/replicate/v1/trainings/${request.requestId}`;
  const model = request.endpoint.slice('replicate/'.length);
  const done = isTerminalStatus(request.status) && request.status !== 'FORGOTTEN';
  return {
    id: request.requestId, model, version: emulatedReplicateVersion(model), input: request.input,
    logs: queue.logs(request.requestId).map((line) => line.message).join('\n'),
    error: request.status === 'FAILED' ? replicateError(request.error?.body) : null,
    status: REPLICATE_STATUS[request.status], created_at: request.submittedAt, started_at: request.startedAt ?? null,
    completed_at: done ? request.finishedAt ?? null : null,
    output: request.status === 'COMPLETED'
      ? { version: `${request.destination}:${createHash('sha256').update(request.requestId).digest('hex')}`, weights: results.output(request.requestId)?.weights && results.fileUrl(request.requestId, 'trained_model.tar') }
      : null,
    metrics: done && request.startedAt && request.finishedAt ? { predict_time: (Date.parse(request.finishedAt) - Date.parse(request.startedAt)) / 1000 } : {},
    urls: { web: `${surface.url()}/replicate/p/${request.requestId}`, get: base, cancel: `${base}/cancel` },
    source: 'api',
  };
}

/** Replicate's `error` is one string: the fal-style failure body of the queue, said in words. */
function replicateError(body: unknown): string {
  const detail = (body as { detail?: unknown } | undefined)?.detail;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return detail.map((item: { msg?: string }) => item.msg ?? 'invalid').join('; ');
  return 'Training failed.';
}
