// A stand-in for the trainer providers on loopback: fal's queue protocol under /queue (fal-routes.ts) and its
// model listing under /api/v1/models (fal-models.ts), Replicate's trainings API under /replicate/v1
// (replicate-routes.ts), the trained files under /files, and an inspection and control view for tests under
// /__emulator (control-routes.ts). Faults are chosen per request (faults.ts), in the input field
// `emulator_faults` or registered ahead.
import { createServer, type IncomingMessage } from 'node:http';
import { closeServer, fromThisMachine, listen } from '#local/http-util';
import { controlRoute } from './control-routes';
import { listFalModels } from './fal-models';
import { falQueueRoute } from './fal-routes';
import { FaultTickets } from './fault-tickets';
import type { EmulatorFaults } from './faults';
import { EmulatorQueue } from './queue';
import { replicateRoute } from './replicate-routes';
import { EmulatorResults } from './results';
import { HeldAnswers, json, sendReply, spoiledAtOnce, type Reply } from './reply';
import type { EmulatedRequest } from './request';
import type { Surface } from './surface';

export type { AppliedFault, EmulatorCall, EmulatorFaults, ErrorBurst } from './faults';
export type { EmulatedRequest, EmulatedStatus } from './request';

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
  /**
   * The keys the emulator accepts, as the providers check theirs: fal's queue wants `Authorization: Key <fal key>`,
   * Replicate's API `Authorization: Bearer <token>` (or `Token <token>`); a missing or wrong one is answered 401 as
   * they answer it. A provider without a key here accepts any key, but still requires one.
   */
  keys?: { fal?: string; replicate?: string };
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
  injectFaults(faults: EmulatorFaults, match?: string): string;
}

export async function startTrainerEmulator(options: TrainerEmulatorOptions): Promise<TrainerEmulator> {
  if (!(options.stepsPerSecond > 0)) throw new Error('stepsPerSecond must be a positive number.');
  const host = options.host ?? '127.0.0.1';
  let url = '';
  const queue = new EmulatorQueue({
    stepsPerSecond: options.stepsPerSecond,
    concurrency: options.concurrency ?? 4,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  const results = new EmulatorResults(queue, () => `${url}/files`);
  const surface: Surface = { queue, results, tickets: new FaultTickets(), url: () => url };
  const held = new HeldAnswers();
  const keys = options.keys ?? {};

  const server = createServer((req, res) => {
    route(surface, req, keys)
      .catch((error: unknown) => json(500, { detail: `Emulator error: ${(error as Error).message}`, error_type: 'internal_error' }))
      .then((reply) => sendReply(res, req, reply, held))
      .catch(() => res.destroy());
  });
  const port = await listen(server, options.port ?? 0, host);
  url = `http://${host}:${port}`;
  await queue.restore();

  return {
    url,
    queueUrl: `${url}/queue`,
    apiUrl: `${url}/api`,
    replicateUrl: `${url}/replicate/v1`,
    requests: () => queue.list(),
    injectFaults: (faults, match) => surface.tickets.register(faults, match),
    async stop() {
      held.releaseAll();
      await queue.stop();
      await closeServer(server);
    },
  };
}

/** Replicate's answer to a request without a valid token (every API route needs one). */
function replicateAuth(auth: string | undefined, accepted: string | undefined): Reply | undefined {
  const token = /^(?:Bearer|Token) (\S+)$/.exec(auth ?? '')?.[1];
  if (token && (accepted === undefined || token === accepted)) return undefined;
  const detail = auth === undefined ? 'You did not pass an authentication token' : 'You did not pass a valid authentication token';
  return json(401, { title: 'Unauthenticated', detail, status: 401 });
}

/** fal's answer to a request without a valid key: the queue needs one; the model listing takes one optionally. */
function falAuth(auth: string | undefined, accepted: string | undefined, required: boolean): Reply | undefined {
  if (auth === undefined && !required) return undefined;
  if (auth === undefined) return json(401, { detail: 'Authentication is required to access this application: send "Authorization: Key <your fal key>".' });
  const key = /^Key (\S+)$/.exec(auth)?.[1];
  if (!key) return json(401, { detail: 'Authorization must be "Key <your fal key>".' });
  if (accepted !== undefined && key !== accepted) return json(401, { detail: 'No user found for Key ID and Secret' });
  return undefined;
}

async function route(surface: Surface, req: IncomingMessage, keys: NonNullable<TrainerEmulatorOptions['keys']>): Promise<Reply> {
  const { pathname, searchParams } = new URL(req.url ?? '/', surface.url());
  const method = req.method ?? 'GET';
  const auth = req.headers.authorization;
  if (pathname.startsWith('/replicate/v1/')) {
    return replicateAuth(auth, keys.replicate) ?? replicateRoute(surface, method, pathname.slice('/replicate/v1/'.length), searchParams, req);
  }
  if (pathname.startsWith('/__emulator/')) {
    if (!fromThisMachine(req, [new URL(surface.url()).hostname])) return json(403, { detail: 'The /__emulator control view answers only on this machine (loopback).' });
    return controlRoute(surface, method, pathname, req);
  }

  if (pathname.startsWith('/queue/')) {
    return falAuth(auth, keys.fal, true) ?? falQueueRoute(surface, method, pathname.slice('/queue/'.length), searchParams, req);
  }
  if (pathname === '/api/v1/models' && method === 'GET') return falAuth(auth, keys.fal, false) ?? listFalModels(searchParams, surface.url());
  const file = /^\/files\/([^/]+)\/([^/]+)$/.exec(pathname);
  if (file && (method === 'GET' || method === 'HEAD')) return fileRoute(surface, decodeURIComponent(file[1]!), decodeURIComponent(file[2]!));
  return json(404, { detail: `Not found: ${method} ${pathname}` });
}

/** A trained file, for either protocol; the faults can fail, expire, delay or slow its download. */
function fileRoute({ queue, results }: Surface, requestId: string, name: string): Reply {
  const request = queue.get(requestId);
  const stored = results.file(requestId, name);
  if (!request || !stored || request.status === 'FORGOTTEN') return json(404, { detail: 'File not found.' });
  const plan = queue.plan(requestId, 'file');
  const spoiled = spoiledAtOnce(plan);
  if (spoiled) return spoiled;
  if (results.resultExpired(requestId, 'file')) return json(404, { detail: 'File not found.' });
  const kbps = request.faults.downloadKBps;
  if (kbps) results.noteSlowDownload(requestId, kbps);
  return { status: 200, file: { stored, ...(kbps ? { kbps } : {}) }, ...(plan.delayMs ? { delayMs: plan.delayMs } : {}) };
}
