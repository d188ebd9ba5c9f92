// The fal queue API (shared/reference/trainer-providers.md §1) behind the TrainerProvider interface.
// The trainer emulator speaks the same protocol, so this adapter runs unchanged against it.
import { falLoraFile, toFalInput } from '../domain/param-mapping';
import { progressFromFalStatus, type FalStatusBody } from '../domain/progress';
import type { Trainer } from '../domain/schemas';
import { fallbackTrainers, genericTrainer } from '../domain/trainer-catalog';
import {
  TrainerRejected, TrainerUnavailable,
  type CancelOutcome, type RemoteJob, type RemoteStatus, type TrainerProvider, type TrainingOutput, type TrainingRequest,
} from './provider';

export interface FalProviderOptions {
  /** e.g. https://queue.fal.run */
  queueUrl: string;
  /** e.g. https://api.fal.ai */
  apiUrl: string;
  apiKey?: string;
  fetch?: typeof fetch;
  /** Per-call deadline. @default 20000 */
  timeoutMs?: number;
  /** Entries that supply params and dataset rules for known trainers. @default fallbackTrainers */
  fallback?: Trainer[];
}

interface FalResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

export interface FalModel {
  endpoint_id?: string;
  metadata?: { display_name?: string; category?: string; description?: string; status?: string };
}

// Namespaced ids (workflows/…, comfy/…) keep their namespace in the status, result and cancel URLs.
const NAMESPACES = new Set(['workflows', 'comfy']);

/** owner/app of an endpoint id: status, result and cancel URLs drop the endpoint's sub-path. */
export function falAppId(endpoint: string): string {
  const parts = endpoint.split('/').filter(Boolean);
  return parts.slice(0, NAMESPACES.has(parts[0] ?? '') ? 3 : 2).join('/');
}

/** A person-readable message from a fal error body: `detail` as a string or FastAPI's list of {loc, msg}. */
export function falErrorMessage(body: unknown, status: number): string {
  const record = (typeof body === 'object' && body !== null ? body : {}) as { detail?: unknown; message?: unknown; error?: unknown };
  const { detail } = record;
  if (typeof detail === 'string' && detail) return detail;
  if (Array.isArray(detail) && detail.length > 0) {
    return detail.map((item: { loc?: unknown[]; msg?: string }) => {
      const field = Array.isArray(item.loc) ? item.loc.filter((part) => part !== 'body').join('.') : '';
      return field ? `${field}: ${item.msg ?? 'invalid'}` : item.msg ?? 'invalid';
    }).join('; ');
  }
  for (const candidate of [record.message, record.error]) if (typeof candidate === 'string' && candidate) return candidate;
  return `fal answered HTTP ${status}.`;
}

const errorType = (response: FalResponse): string | undefined => {
  const fromBody = (response.body as { error_type?: unknown } | undefined)?.error_type;
  return typeof fromBody === 'string' ? fromBody : response.headers.get('x-fal-error-type') ?? undefined;
};

const hasFalBody = (body: unknown) => typeof body === 'object' && body !== null && ('detail' in body || 'error_type' in body);

/** The error for a refused call: 429, 5xx and explicitly retryable answers are transient; other 4xx are final. */
function refusal(response: FalResponse, action: string): Error {
  const message = falErrorMessage(response.body, response.status);
  if (response.status === 429 || response.status >= 500 || response.headers.get('x-fal-retryable') === 'true') {
    return new TrainerUnavailable(`fal could not ${action} right now (HTTP ${response.status}): ${message}`);
  }
  if (response.status === 401 || response.status === 403) {
    return new TrainerRejected(`fal refused the API key while trying to ${action} (HTTP ${response.status}): ${message} Check the trainer key.`, 'TRAINER_AUTH');
  }
  const code = response.status === 422 ? 'TRAINER_INVALID_INPUT' : response.status === 404 ? 'TRAINER_NOT_FOUND' : 'TRAINER_REJECTED';
  return new TrainerRejected(`fal refused to ${action}: ${message}`, code);
}

type ResultOutcome = { ok: true; output: unknown } | { ok: false; cancelled: boolean; code: string; message: string };

export function createFalProvider(options: FalProviderOptions): TrainerProvider {
  const queueUrl = options.queueUrl.replace(/\/+$/, '');
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const fallback = options.fallback ?? fallbackTrainers;

  async function call(method: string, url: string, action: string, body?: unknown): Promise<FalResponse> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (options.apiKey) headers.authorization = `Key ${options.apiKey}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await doFetch(url, {
        method, headers, signal: AbortSignal.timeout(timeoutMs), ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      text = await response.text();
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? `no answer within ${timeoutMs / 1000} s` : (error as Error).message;
      throw new TrainerUnavailable(`fal could not be reached to ${action}: ${reason}.`);
    }
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    return { status: response.status, body: parsed, headers: response.headers };
  }

  const requestUrl = (job: RemoteJob) => `${queueUrl}/${falAppId(job.endpoint)}/requests/${encodeURIComponent(job.requestId)}`;

  async function readResult(job: RemoteJob): Promise<ResultOutcome> {
    const response = await call('GET', requestUrl(job), 'fetch the training result');
    if (response.status >= 200 && response.status < 300) return { ok: true, output: response.body };
    const type = errorType(response);
    const transient = response.status === 429 || (response.status >= 500 && !hasFalBody(response.body));
    if (transient) throw refusal(response, 'fetch the training result');
    const cancelled = type === 'client_cancelled' || response.status === 499;
    return {
      ok: false, cancelled,
      code: cancelled ? 'CANCELLED' : type ? type.toUpperCase() : 'TRAINING_FAILED',
      message: cancelled ? 'The training was cancelled at the trainer.' : `The trainer failed: ${falErrorMessage(response.body, response.status)}`,
    };
  }

  function loraOf(job: RemoteJob, output: unknown): TrainingOutput | undefined {
    const file = falLoraFile(job.endpoint, output);
    if (!file) return undefined;
    const fileName = file.file_name || decodeURIComponent(new URL(file.url).pathname.split('/').pop() || '') || 'lora.safetensors';
    return { loraUrl: file.url, fileName, ...(typeof file.file_size === 'number' ? { sizeBytes: file.file_size } : {}) };
  }

  return {
    async listTrainers() {
      const models: FalModel[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const query = new URLSearchParams({ category: 'training', status: 'active', limit: '100', ...(cursor ? { cursor } : {}) });
        const response = await call('GET', `${apiUrl}/v1/models?${query}`, 'list its trainers');
        if (response.status !== 200) throw refusal(response, 'list its trainers');
        const body = (response.body ?? {}) as { models?: FalModel[]; has_more?: boolean; next_cursor?: string | null };
        models.push(...(body.models ?? []));
        if (!body.has_more || !body.next_cursor) break;
        cursor = body.next_cursor;
      }
      const trainers = mergeCatalog(models, fallback);
      if (trainers.length === 0) throw new TrainerUnavailable('fal listed no training models.');
      return trainers;
    },

    async submit(request: TrainingRequest) {
      const endpoint = request.trainer.id;
      const response = await call('POST', `${queueUrl}/${endpoint}`, 'start the training', toFalInput(endpoint, request));
      if (response.status < 200 || response.status >= 300) throw refusal(response, 'start the training');
      const requestId = (response.body as { request_id?: unknown } | undefined)?.request_id;
      if (typeof requestId !== 'string' || !requestId) throw new TrainerUnavailable('fal accepted the training but returned no request id.');
      return { provider: 'fal', endpoint, requestId };
    },

    async status(job: RemoteJob): Promise<RemoteStatus> {
      const response = await call('GET', `${requestUrl(job)}/status?logs=1`, 'report the training status');
      if (response.status !== 200 && response.status !== 202) throw refusal(response, 'report the training status');
      const body = response.body as FalStatusBody;
      const progress = progressFromFalStatus(body);
      if (body.status === 'IN_QUEUE') return { state: 'queued', progress };
      if (body.status === 'IN_PROGRESS') return { state: 'running', progress };
      if (body.status !== 'COMPLETED') throw new TrainerUnavailable(`fal reported an unknown status ${JSON.stringify(body?.status)}.`);
      // COMPLETED is also how fal ends failed and cancelled requests: only the result tells them apart.
      const outcome = await readResult(job);
      if (!outcome.ok) {
        return { state: outcome.cancelled ? 'cancelled' : 'failed', progress, error: { code: outcome.code, message: outcome.message } };
      }
      if (!loraOf(job, outcome.output)) {
        return { state: 'failed', progress, error: { code: 'NO_LORA_FILE', message: 'The trainer finished but returned no LoRA file.' } };
      }
      const done = { ...progress, fraction: 1, message: 'Training finished.' };
      if (done.totalSteps !== undefined) done.step = done.totalSteps;
      return { state: 'completed', progress: done };
    },

    async cancel(job: RemoteJob): Promise<CancelOutcome> {
      const response = await call('PUT', `${requestUrl(job)}/cancel`, 'cancel the training');
      const status = (response.body as { status?: unknown } | undefined)?.status;
      if (response.status === 404 || status === 'NOT_FOUND') return 'not-found';
      if (status === 'ALREADY_COMPLETED') return 'already-completed';
      // fal confirms nothing synchronously: the request ends COMPLETED later, and the result says cancelled or not.
      if (response.status >= 200 && response.status < 300) return 'requested';
      throw refusal(response, 'cancel the training');
    },

    async result(job: RemoteJob): Promise<TrainingOutput> {
      const outcome = await readResult(job);
      if (!outcome.ok) throw new TrainerRejected(outcome.message, outcome.code);
      const lora = loraOf(job, outcome.output);
      if (!lora) throw new TrainerRejected('The trainer finished but returned no LoRA file.', 'NO_LORA_FILE');
      return lora;
    },
  };
}

/** Provider metadata names and describes; the built-in entry supplies params and dataset rules. */
export function mergeCatalog(models: readonly FalModel[], fallback: readonly Trainer[]): Trainer[] {
  const seen = new Set<string>();
  const trainers: Trainer[] = [];
  for (const model of models) {
    const id = model.endpoint_id;
    if (!id || seen.has(id) || model.metadata?.category !== 'training') continue;
    seen.add(id);
    const { display_name: name, description } = model.metadata;
    const known = fallback.find((entry) => entry.id === id);
    trainers.push(known
      ? { ...known, name: name || known.name, description: description || known.description }
      : genericTrainer(id, name, description));
  }
  return trainers;
}
