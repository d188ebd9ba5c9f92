// A stand-in for fal on loopback: the queue protocol under /queue, the model listing under /api/v1/models,
// the trained files under /files, and an inspection view for tests under /__emulator.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { fallbackTrainers } from '../../functions/domain/trainer-catalog';
import { EmulatorQueue, type EmulatedRequest } from './emulator-queue';
import { closeServer, listen, readBody } from './http-util';

export type { EmulatedRequest, EmulatorFaults } from './emulator-queue';

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
  stop(): Promise<void>;
  requests(): EmulatedRequest[];
}

type Reply = { status: number; body?: unknown; headers?: Record<string, string>; bytes?: Uint8Array };

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Reply => ({ status, body, headers });

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

  const server = createServer((req, res) => {
    route(req)
      .catch((error: unknown) => json(500, { detail: `Emulator error: ${(error as Error).message}`, error_type: 'internal_error' }))
      .then((reply) => send(res, req, reply));
  });
  const port = await listen(server, options.port ?? 0, host);
  url = `http://${host}:${port}`;
  await queue.restore();

  async function route(req: IncomingMessage): Promise<Reply> {
    const { pathname, searchParams } = new URL(req.url ?? '/', url);
    const method = req.method ?? 'GET';
    const auth = req.headers.authorization;
    if (auth !== undefined && !/^Key \S+/.test(auth)) return json(401, { detail: 'Authorization must be "Key <your fal key>".' });

    if (pathname.startsWith('/queue/')) return queueRoute(method, pathname.slice('/queue/'.length), searchParams, req);
    if (pathname === '/api/v1/models' && method === 'GET') return listModels(searchParams);
    const file = /^\/files\/([^/]+)\/([^/]+)$/.exec(pathname);
    if (file && (method === 'GET' || method === 'HEAD')) {
      const stored = queue.file(decodeURIComponent(file[1]!), decodeURIComponent(file[2]!));
      return stored ? { status: 200, bytes: stored.bytes, headers: { 'content-type': stored.contentType } } : json(404, { detail: 'File not found.' });
    }
    if (pathname === '/__emulator/requests' && method === 'GET') return json(200, queue.list());
    const inspect = /^\/__emulator\/requests\/([^/]+)$/.exec(pathname);
    if (inspect && method === 'GET') {
      const found = queue.get(decodeURIComponent(inspect[1]!));
      return found ? json(200, found) : json(404, { detail: 'Request not found.' });
    }
    return json(404, { detail: `Not found: ${method} ${pathname}` });
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
    if (!request || appOf(request.endpoint) !== app) {
      return action === '/cancel' ? json(404, { status: 'NOT_FOUND' }) : json(404, { detail: `Request ${requestId} not found.` });
    }
    if (action === '/status' && method === 'GET') return status(request, query.get('logs') === '1' || query.get('logs') === 'true');
    if (action === '/cancel' && method === 'PUT') {
      const outcome = queue.cancel(requestId);
      return outcome === 'requested' ? json(202, { status: 'CANCELLATION_REQUESTED' }) : json(400, { status: 'ALREADY_COMPLETED' });
    }
    if (action === undefined && method === 'GET') return result(request);
    return json(405, { detail: `${method} is not supported here.` });
  }

  async function submit(endpoint: string, req: IncomingMessage): Promise<Reply> {
    const app = appOf(endpoint);
    if (!fallbackTrainers.some((trainer) => trainer.id === app)) return json(404, { detail: `Application '${endpoint}' not found.` });
    let input: unknown;
    try {
      input = JSON.parse((await readBody(req)).toString('utf8') || '{}');
    } catch {
      return json(400, { detail: 'The request body is not valid JSON.' });
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) {
      return json(422, { detail: [{ loc: ['body'], msg: 'Input should be a valid dictionary', type: 'dict_type' }] });
    }
    const request = queue.submit(endpoint, input as Record<string, unknown>);
    return json(200, { status: 'IN_QUEUE', request_id: request.requestId, ...links(request), queue_position: request.queuePosition ?? 0 });
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

  return {
    url,
    queueUrl: `${url}/queue`,
    apiUrl: `${url}/api`,
    requests: () => queue.list(),
    async stop() {
      await queue.stop();
      await closeServer(server);
    },
  };
}

/** owner/app of an endpoint id (the sub-path is dropped in status, result and cancel URLs). */
const appOf = (endpoint: string) => endpoint.split('/').slice(0, 2).join('/');

function send(res: ServerResponse, req: IncomingMessage, reply: Reply): void {
  const bytes = reply.bytes ?? (reply.body === undefined ? new Uint8Array() : Buffer.from(JSON.stringify(reply.body)));
  res.writeHead(reply.status, {
    ...(reply.bytes ? {} : { 'content-type': 'application/json' }),
    'content-length': String(bytes.byteLength),
    ...reply.headers,
  });
  res.end(req.method === 'HEAD' ? undefined : bytes);
}
