// A stand-in for the trainer providers on loopback: fal's queue protocol under /queue and its model listing
// under /api/v1/models, Replicate's trainings API under /replicate/v1, the trained files under /files, and an
// inspection and control view for tests under /__emulator:
//   GET  /__emulator/requests[/{id}]   each request's record: status, cancelRequested, completedAt, faultsApplied…
//   POST /__emulator/faults            {"match"?: "text in the submit body", "faults": EmulatorFaults} → 201 {"id"}
// Faults are chosen per request (see faults.ts), in the input field `emulator_faults` or registered ahead.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fallbackTrainers } from '../../../functions/domain/trainer-catalog';
import { parseFaults, type AnswerPlan, type EmulatorCall } from './faults';
import { streamFile, type StoredFile } from './files';
import { EmulatorQueue, type EmulatedRequest } from './queue';
import { closeServer, listen, readBody } from '../http-util';

export type { AppliedFault, EmulatorCall, EmulatorFaults, ErrorBurst } from './faults';
export type { EmulatedRequest, EmulatedStatus } from './queue';

export interface TrainerEmulatorOptions {
  /** 0 picks a free port. @default 0 */
  port?: number;
  /** @default '127.0.0.1' */
  host?: string;
  stepsPerSecond: number;
  /** Requests trained at once; the rest wait IN_QUEUE. @default 4 */
  concurrency?: number;
  /** Where requests and files are kept so a restart resumes them; in memory only when absent. */
  dataDir?: string;
}

export interface TrainerEmulator {
  url: string;
  /** Use as FAL_QUEUE_URL. */
  queueUrl: string;
  /** Use as FAL_API_URL. */
  apiUrl: string;
  /** Use as REPLICATE_API_URL. */
  replicateUrl: string;
  stop(): Promise<void>;
  requests(): EmulatedRequest[];
  /** Faults for the next submission whose body contains `match` (any submission when absent). */
  injectFaults(faults: import('./faults').EmulatorFaults, match?: string): string;
}

type Reply = {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as is instead of JSON (a malformed answer). */
  raw?: string;
  file?: { stored: StoredFile; kbps?: number };
  delayMs?: number;
};

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({ status, body, headers });

/** The version id the emulator gives a Replicate trainer model. */
export const emulatedReplicateVersion = (model: string) => createHash('sha256').update(`loraworks-emulator:${model}`).digest('hex');

export async function startTrainerEmulator(options: TrainerEmulatorOptions): Promise<TrainerEmulator> {
  if (!(options.stepsPerSecond > 0)) throw new Error('stepsPerSecond must be a positive number.');
  const host = options.host ?? '127.0.0.1';
  let url = '';
  const queue = new EmulatorQueue({
    stepsPerSecond: options.stepsPerSecond,
    concurrency: options.concurrency ?? 4,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
    filesUrl: () => `${url}/files`,
  });
  const held = new Set<{ timer: NodeJS.Timeout; release: () => void }>();

  const server = createServer((req, res) => {
    route(req)
      .catch((error: unknown) => json(500, { detail: `Emulator error: ${(error as Error).message}`, error_type: 'internal_error' }))
      .then((reply) => send(res, req, reply))
      .catch(() => res.destroy());
  });
  const port = await listen(server, options.port ?? 0, host);
  url = `http://${host}:${port}`;
  await queue.restore();

  async function route(req: IncomingMessage): Promise<Reply> {
    const { pathname, searchParams } = new URL(req.url ?? '/', url);
    const method = req.method ?? 'GET';
    const auth = req.headers.authorization;
    if (pathname.startsWith('/replicate/v1/')) {
      if (auth !== undefined && !/^(Bearer|Token) \S+/.test(auth)) {
        return json(401, { title: 'Unauthenticated', detail: 'Authorization must be "Bearer <your Replicate API token>".', status: 401 });
      }
      return replicateRoute(method, pathname.slice('/replicate/v1/'.length), req);
    }
    if (pathname.startsWith('/__emulator/')) return controlRoute(method, pathname, req);
    if (auth !== undefined && !/^Key \S+/.test(auth)) return json(401, { detail: 'Authorization must be "Key <your fal key>".' });

    if (pathname.startsWith('/queue/')) return queueRoute(method, pathname.slice('/queue/'.length), searchParams, req);
    if (pathname === '/api/v1/models' && method === 'GET') return listModels(searchParams);
    const file = /^\/files\/([^/]+)\/([^/]+)$/.exec(pathname);
    if (file && (method === 'GET' || method === 'HEAD')) return fileRoute(decodeURIComponent(file[1]!), decodeURIComponent(file[2]!));
    return json(404, { detail: `Not found: ${method} ${pathname}` });
  }

  async function controlRoute(method: string, pathname: string, req: IncomingMessage): Promise<Reply> {
    if (pathname === '/__emulator/requests' && method === 'GET') return json(200, queue.list());
    const inspect = /^\/__emulator\/requests\/([^/]+)$/.exec(pathname);
    if (inspect && method === 'GET') {
      const found = queue.get(decodeURIComponent(inspect[1]!));
      return found ? json(200, found) : json(404, { detail: 'Request not found.' });
    }
    if (pathname === '/__emulator/faults' && method === 'POST') {
      let body: { match?: unknown; faults?: unknown };
      try {
        body = JSON.parse((await readBody(req)).toString('utf8') || '{}') as typeof body;
      } catch {
        return json(400, { detail: 'The body is not JSON.' });
      }
      const id = queue.register(parseFaults(body.faults), typeof body.match === 'string' && body.match ? body.match : undefined);
      return json(201, { id });
    }
    return json(404, { detail: `Not found: ${method} ${pathname}` });
  }

  /** Applies a spoiling plan to a normal answer: malformed body, held answer. */
  function spoil(reply: Reply, plan: AnswerPlan, stripped: () => unknown): Reply {
    if (plan.error) {
      return { ...json(plan.error.status, plan.error.body, plan.error.headers), ...(plan.raw ? { raw: plan.raw } : {}), ...(plan.delayMs ? { delayMs: plan.delayMs } : {}) };
    }
    let out = reply;
    if (plan.malformed === 'invalid-json') out = { ...reply, raw: '{"status": "IN_PROGR' };
    if (plan.malformed === 'missing-fields') out = { ...reply, body: stripped() };
    return plan.delayMs ? { ...out, delayMs: plan.delayMs } : out;
  }

  async function queueRoute(method: string, path: string, query: URLSearchParams, req: IncomingMessage): Promise<Reply> {
    const match = /^(.+?)\/requests\/([^/]+)(\/status|\/cancel)?$/.exec(path);
    if (!match) {
      if (method !== 'POST') return json(405, { detail: `Use POST to submit to ${path}.` });
      return submit(path, req);
    }
    const [, app, rawId, action] = match as unknown as [string, string, string, string | undefined];
    const requestId = decodeURIComponent(rawId);
    const request = queue.get(requestId);
    // Like fal, a request is found only under the owner/app it was submitted to.
    if (!request || request.protocol !== 'fal' || appOf(request.endpoint) !== app || request.status === 'FORGOTTEN') {
      return action === '/cancel' ? json(404, { status: 'NOT_FOUND' }) : json(404, { detail: `Request ${requestId} not found.` });
    }
    const call: EmulatorCall = action === '/status' ? 'status' : action === '/cancel' ? 'cancel' : 'result';
    if (call === 'status' && method !== 'GET') return json(405, { detail: `${method} is not supported here.` });
    if (call === 'cancel' && method !== 'PUT') return json(405, { detail: `${method} is not supported here.` });
    if (call === 'result' && method !== 'GET') return json(405, { detail: `${method} is not supported here.` });
    const plan = queue.plan(requestId, call);
    if (plan.error) return spoil(json(200, {}), plan, () => ({}));
    if (call === 'status') {
      return spoil(status(queue.get(requestId)!, query.get('logs') === '1' || query.get('logs') === 'true'), plan, () => ({ request_id: requestId }));
    }
    if (call === 'cancel') {
      const outcome = queue.cancel(requestId);
      const reply = outcome === 'requested' ? json(202, { status: 'CANCELLATION_REQUESTED' })
        : outcome === 'not-found' ? json(404, { status: 'NOT_FOUND' }) : json(400, { status: 'ALREADY_COMPLETED' });
      return spoil(reply, plan, () => ({}));
    }
    return spoil(result(queue.get(requestId)!), plan, () => ({}));
  }

  async function submit(endpoint: string, req: IncomingMessage): Promise<Reply> {
    const app = appOf(endpoint);
    if (!fallbackTrainers.some((trainer) => trainer.id === app && trainer.provider === 'fal')) return json(404, { detail: `Application '${endpoint}' not found.` });
    const raw = (await readBody(req)).toString('utf8');
    let input: unknown;
    try {
      input = JSON.parse(raw || '{}');
    } catch {
      return json(400, { detail: 'The request body is not valid JSON.' });
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return json(422, { detail: [{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type' }] });
    }
    const plan = queue.planSubmit(raw, input as Record<string, unknown>, 'fal');
    if (plan.error) return spoil(json(200, {}), plan, () => ({}));
    const request = queue.submit(endpoint, input as Record<string, unknown>, raw);
    await queue.durable(request.requestId);
    const reply = json(200, { status: 'IN_QUEUE', request_id: request.requestId, ...links(request), queue_position: request.queuePosition ?? 0 });
    return spoil(reply, plan, () => ({ status: 'IN_QUEUE' }));
  }

  function status(request: EmulatedRequest, withLogs: boolean): Reply {
    const logs = withLogs ? queue.logs(request.requestId) : null;
    const base = { request_id: request.requestId, ...links(request), logs };
    if (request.status === 'IN_QUEUE') return json(202, { ...base, status: 'IN_QUEUE', queue_position: request.queuePosition ?? 0 });
    if (request.status === 'IN_PROGRESS') return json(202, { ...base, status: 'IN_PROGRESS' });
    const seconds = request.startedAt && request.finishedAt ? (Date.parse(request.finishedAt) - Date.parse(request.startedAt)) / 1000 : 0;
    return json(200, { ...base, status: 'COMPLETED', metrics: { inference_time: seconds } });
  }

  function result(request: EmulatedRequest): Reply {
    const headers = { 'x-fal-request-id': request.requestId };
    switch (request.status) {
      case 'COMPLETED':
        if (queue.resultExpired(request.requestId, 'result')) return json(request.faults.resultExpiredStatus ?? 404, { detail: `Request ${request.requestId} not found.` }, headers);
        return json(200, queue.output(request.requestId), headers);
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

  function fileRoute(requestId: string, name: string): Reply {
    const request = queue.get(requestId);
    const stored = queue.file(requestId, name);
    if (!request || !stored || request.status === 'FORGOTTEN') return json(404, { detail: 'File not found.' });
    const plan = queue.plan(requestId, 'file');
    if (plan.error) return spoil(json(200, {}), plan, () => ({}));
    if (queue.resultExpired(requestId, 'file')) return json(404, { detail: 'File not found.' });
    const kbps = request.faults.downloadKBps;
    if (kbps) queue.noteSlowDownload(requestId, kbps);
    return { status: 200, file: { stored, ...(kbps ? { kbps } : {}) }, ...(plan.delayMs ? { delayMs: plan.delayMs } : {}) };
  }

  function links(request: EmulatedRequest) {
    const base = `${url}/queue/${appOf(request.endpoint)}/requests/${request.requestId}`;
    return { response_url: base, status_url: `${base}/status`, cancel_url: `${base}/cancel` };
  }

  function listModels(query: URLSearchParams): Reply {
    const wanted = query.getAll('endpoint_id');
    const category = query.get('category');
    const status = query.get('status');
    const text = query.get('q')?.toLowerCase();
    const models = fallbackTrainers
      .filter((trainer) => trainer.provider === 'fal')
      .filter((trainer) => wanted.length === 0 || wanted.includes(trainer.id))
      .filter(() => !category || category === 'training')
      .filter(() => !status || status === 'active')
      .filter((trainer) => !text || `${trainer.id} ${trainer.name} ${trainer.description}`.toLowerCase().includes(text))
      .map((trainer) => ({
        endpoint_id: trainer.id,
        metadata: {
          display_name: trainer.name, category: 'training', description: trainer.description, status: 'active',
          tags: ['lora', 'training', trainer.kind], model_url: `${url}/queue/${trainer.id}`, updated_at: '2025-01-01T00:00:00Z',
        },
      }));
    const limit = Math.max(1, Number(query.get('limit')) || 50);
    const offset = Number(Buffer.from(query.get('cursor') ?? '', 'base64').toString('utf8')) || 0;
    const page = models.slice(offset, offset + limit);
    const hasMore = offset + limit < models.length;
    return json(200, { models: page, next_cursor: hasMore ? Buffer.from(String(offset + limit)).toString('base64') : null, has_more: hasMore });
  }

  // ---------- Replicate ----------

  const replicateModels = () => fallbackTrainers.filter((trainer) => trainer.provider === 'replicate').map((trainer) => trainer.id.slice('replicate/'.length));
  const notFound = (what: string) => json(404, { title: 'Not found', detail: `${what} not found.`, status: 404 });

  async function replicateRoute(method: string, path: string, req: IncomingMessage): Promise<Reply> {
    const model = /^models\/([^/]+\/[^/]+)$/.exec(path);
    if (model && method === 'GET') {
      const id = model[1]!;
      if (!replicateModels().includes(id)) return notFound(`Model ${id}`);
      const [owner, name] = id.split('/');
      return json(200, { owner, name, visibility: 'public', latest_version: { id: emulatedReplicateVersion(id), created_at: '2025-01-01T00:00:00Z' } });
    }
    const create = /^models\/([^/]+\/[^/]+)\/versions\/([^/]+)\/trainings$/.exec(path);
    if (create && method === 'POST') return createTraining(create[1]!, create[2]!, req);
    const get = /^trainings\/([^/]+)(\/cancel)?$/.exec(path);
    if (get) {
      const requestId = decodeURIComponent(get[1]!);
      const request = queue.get(requestId);
      if (!request || request.protocol !== 'replicate' || request.status === 'FORGOTTEN') return notFound(`Training ${requestId}`);
      const call: EmulatorCall = get[2] ? 'cancel' : 'status';
      if (call === 'status' && method !== 'GET') return json(405, { detail: 'Method not allowed.' });
      if (call === 'cancel' && method !== 'POST') return json(405, { detail: 'Method not allowed.' });
      const plan = queue.plan(requestId, call);
      if (plan.error) return spoil(json(200, {}), plan, () => ({}));
      if (call === 'cancel') {
        const outcome = queue.cancel(requestId);
        if (outcome === 'not-found') return notFound(`Training ${requestId}`);
      }
      return spoil(json(200, training(queue.get(requestId)!)), plan, () => ({ id: requestId }));
    }
    return notFound(`${method} /v1/${path}`);
  }

  async function createTraining(model: string, version: string, req: IncomingMessage): Promise<Reply> {
    if (!replicateModels().includes(model)) return notFound(`Model ${model}`);
    if (version !== emulatedReplicateVersion(model)) return notFound(`Version ${version} of ${model}`);
    const raw = (await readBody(req)).toString('utf8');
    let body: { destination?: unknown; input?: unknown };
    try {
      body = JSON.parse(raw || '{}') as typeof body;
    } catch {
      return json(400, { title: 'Bad request', detail: 'The request body is not valid JSON.', status: 400 });
    }
    if (typeof body.destination !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(body.destination)) {
      return json(422, { title: 'Invalid destination', detail: 'The destination must be an existing model, given as owner/name.', status: 422 });
    }
    if (typeof body.input !== 'object' || body.input === null || Array.isArray(body.input)) {
      return json(422, { title: 'Input validation failed', status: 422, invalid_fields: [{ type: 'required', field: 'input', description: 'input is required' }] });
    }
    const input = body.input as Record<string, unknown>;
    const plan = queue.planSubmit(raw, input, 'replicate');
    if (plan.error) return spoil(json(200, {}), plan, () => ({}));
    const request = queue.submit(`replicate/${model}`, input, raw, { destination: body.destination });
    await queue.durable(request.requestId);
    return spoil(json(201, training(request)), plan, () => ({ status: 'starting' }));
  }

  function training(request: EmulatedRequest) {
    const base = `${url}/replicate/v1/trainings/${request.requestId}`;
    const status = ({ IN_QUEUE: 'starting', IN_PROGRESS: 'processing', COMPLETED: 'succeeded', FAILED: 'failed', CANCELLED: 'canceled', FORGOTTEN: 'failed' } as const)[request.status];
    const model = request.endpoint.slice('replicate/'.length);
    const done = request.status === 'COMPLETED';
    return {
      id: request.requestId, model, version: emulatedReplicateVersion(model), input: request.input,
      logs: queue.logs(request.requestId).map((line) => line.message).join('\n'),
      error: request.status === 'FAILED' ? replicateError(request.error?.body) : null,
      status, created_at: request.submittedAt, started_at: request.startedAt ?? null,
      completed_at: isDone(request) ? request.finishedAt ?? null : null,
      output: done ? { version: `${request.destination}:${createHash('sha256').update(request.requestId).digest('hex')}`, weights: queue.output(request.requestId)?.weights && queue.fileUrl(request.requestId, 'trained_model.tar') } : null,
      metrics: isDone(request) && request.startedAt && request.finishedAt ? { predict_time: (Date.parse(request.finishedAt) - Date.parse(request.startedAt)) / 1000 } : {},
      urls: { web: `${url}/replicate/p/${request.requestId}`, get: base, cancel: `${base}/cancel` },
      source: 'api',
    };
  }

  async function send(res: ServerResponse, req: IncomingMessage, reply: Reply): Promise<void> {
    if (reply.delayMs) {
      await new Promise<void>((resolve) => {
        const hold = { timer: setTimeout(() => { held.delete(hold); resolve(); }, reply.delayMs), release: resolve };
        held.add(hold);
      });
      if (res.destroyed) return;
    }
    if (reply.file) {
      await streamFile(res, reply.file.stored, { ...(reply.file.kbps ? { kbps: reply.file.kbps } : {}), head: req.method === 'HEAD' });
      return;
    }
    const bytes = Buffer.from(reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body)));
    res.writeHead(reply.status, { 'content-type': 'application/json', 'content-length': String(bytes.byteLength), ...reply.headers });
    res.end(req.method === 'HEAD' ? undefined : bytes);
  }

  return {
    url,
    queueUrl: `${url}/queue`,
    apiUrl: `${url}/api`,
    replicateUrl: `${url}/replicate/v1`,
    requests: () => queue.list(),
    injectFaults: (faults, match) => queue.register(faults, match),
    async stop() {
      for (const hold of held) {
        clearTimeout(hold.timer);
        hold.release();
      }
      held.clear();
      await queue.stop();
      await closeServer(server);
    },
  };
}

/** owner/app of an endpoint id (the sub-path is dropped in status, result and cancel URLs). */
const appOf = (endpoint: string) => endpoint.split('/').slice(0, 2).join('/');

const isDone = (request: EmulatedRequest) => ['COMPLETED', 'FAILED', 'CANCELLED'].includes(request.status);

/** Replicate's `error` is one string: the fal-style failure body of the queue, said in words. */
function replicateError(body: unknown): string {
  const detail = (body as { detail?: unknown } | undefined)?.detail;
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return detail.map((item: { msg?: string }) => item.msg ?? 'invalid').join('; ');
  return 'Training failed.';
}
