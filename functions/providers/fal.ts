// The fal queue API (submit, status with logs, result, cancel; the model listing) behind the TrainerProvider interface.
// The trainer emulator speaks the same protocol, so this adapter runs unchanged against it.
import { falOutputFiles, toFalInput, type FalFile } from './training-inputs';
import { falLogLines } from '#domain/job-logs';
import { finishedProgress } from '#domain/progress';
import type { Trainer } from '#domain/schemas';
import { parseTrainerId } from '#domain/trainer-id';
import { fallbackTrainers, genericTrainer } from '#domain/trainer-catalog';
import { progressFromFalStatus, type FalStatusBody } from './fal-progress';
import { describeFalError, falErrorType, falRefusal, isTransient } from './fal-errors';
import { callJson, type JsonAnswer } from './json-call';
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

export { falErrorMessage, falFieldErrors } from './fal-errors';

export interface FalModel {
  endpoint_id?: string;
  metadata?: { display_name?: string; category?: string; description?: string; status?: string };
}

/** owner/app of an endpoint id: status, result and cancel URLs drop the endpoint's sub-path. */
export const falAppId = (endpoint: string): string => parseTrainerId(endpoint).app;

const hasFalBody = (body: unknown) => typeof body === 'object' && body !== null && ('detail' in body || 'error_type' in body);

/** fal keeps a result for an hour after completion (6 minutes when 10 KB or larger): after that it answers 404/410. */
export const RESULT_EXPIRED_MESSAGE = 'The trainer\'s result expired before it was collected. fal keeps results only briefly after a training ends; start the job again.';

type ResultOutcome = { ok: true; output: unknown } | { ok: false; cancelled: boolean; code: string; message: string };

export function createFalProvider(options: FalProviderOptions): TrainerProvider {
  const queueUrl = options.queueUrl.replace(/\/+$/, '');
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const fallback = options.fallback ?? fallbackTrainers;

  const call = (method: string, url: string, action: string, body?: unknown): Promise<JsonAnswer> => callJson({
    fetch: doFetch, url, method, body, timeoutMs, who: 'fal', action, ...(options.apiKey ? { authorization: `Key ${options.apiKey}` } : {}),
  });

  const requestUrl = (job: RemoteJob) => `${queueUrl}/${falAppId(job.endpoint)}/requests/${encodeURIComponent(job.requestId)}`;

  async function readResult(job: RemoteJob): Promise<ResultOutcome> {
    const response = await call('GET', requestUrl(job), 'fetch the training result');
    if (response.status >= 200 && response.status < 300) {
      if (response.malformed || response.body === undefined) {
        throw new TrainerUnavailable(`fal answered the result call with something that is not JSON (HTTP ${response.status}).`);
      }
      return { ok: true, output: response.body };
    }
    // Asked only once fal said COMPLETED: a result that is gone now has expired.
    if (response.status === 404 || response.status === 410) return { ok: false, cancelled: false, code: 'RESULT_EXPIRED', message: RESULT_EXPIRED_MESSAGE };
    // A refusal of the call itself (rate limit, gateway trouble) is not the training's outcome: ask again.
    if (response.status === 429 || (response.status >= 500 && !hasFalBody(response.body))) throw falRefusal(response, 'fetch the training result');
    const type = falErrorType(response);
    const cancelled = type === 'client_cancelled' || response.status === 499;
    if (cancelled) return { ok: false, cancelled, code: 'CANCELLED', message: 'The training was cancelled at the trainer.' };
    return {
      ok: false, cancelled,
      code: type ? type.toUpperCase() : response.status === 422 ? 'TRAINER_INVALID_INPUT' : 'TRAINING_FAILED',
      message: `The trainer failed: ${describeFalError(response)}${isTransient(response) && !/again/.test(describeFalError(response)) ? ' Starting the job again may work.' : ''}`,
    };
  }

  /** Every file of the result, the LoRA as the main one; undefined when the result has no LoRA file. */
  function loraOf(job: RemoteJob, output: unknown): TrainingOutput | undefined {
    const files = falOutputFiles(job.endpoint, output);
    if (!files) return undefined;
    const [lora, ...others] = files;
    return {
      loraUrl: lora!.url, fileName: fileNameOf(lora!, 'lora.safetensors'), ...described(lora!),
      others: others.map((file) => ({ field: file.field, url: file.url, name: fileNameOf(file, file.field), role: file.role, ...described(file) })),
    };
  }

  return {
    async listTrainers() {
      const models: FalModel[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < 20; page++) {
        const query = new URLSearchParams({ category: 'training', status: 'active', limit: '100', ...(cursor ? { cursor } : {}) });
        const response = await call('GET', `${apiUrl}/v1/models?${query}`, 'list its trainers');
        if (response.status !== 200) throw falRefusal(response, 'list its trainers');
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
      if (response.status < 200 || response.status >= 300) throw falRefusal(response, 'start the training');
      // A 2xx without a request id cannot be followed up; retrying may start a second training at fal, which is
      // the lesser harm than a job that never starts (the orphan ends on its own).
      const requestId = (response.body as { request_id?: unknown } | undefined)?.request_id;
      if (typeof requestId !== 'string' || !requestId) throw new TrainerUnavailable('fal accepted the training but returned no request id.');
      return { provider: 'fal', endpoint, requestId };
    },

    async status(job: RemoteJob): Promise<RemoteStatus> {
      const response = await call('GET', `${requestUrl(job)}/status?logs=1`, 'report the training status');
      if (response.status !== 200 && response.status !== 202) throw falRefusal(response, 'report the training status');
      const body = response.body as FalStatusBody | undefined;
      if (response.malformed || typeof body?.status !== 'string') {
        throw new TrainerUnavailable(`fal answered the status call without a status (HTTP ${response.status}); asking again later.`);
      }
      // Logs that are not an array of lines are ignored, for the progress as for the stored lines.
      const logLines = falLogLines(body.logs);
      const safeBody = { ...body, logs: logLines.map((line) => ({ message: line.message, ...(line.at ? { timestamp: line.at } : {}) })) };
      const progress = progressFromFalStatus(safeBody);
      const logs = logLines.length ? { logs: logLines } : {};
      if (body.status === 'IN_QUEUE') return { state: 'queued', progress, ...logs };
      if (body.status === 'IN_PROGRESS') return { state: 'running', progress, ...logs };
      if (body.status !== 'COMPLETED') throw new TrainerUnavailable(`fal reported an unknown status ${JSON.stringify(body?.status)}.`);
      // COMPLETED is also how fal ends failed and cancelled requests: only the result tells them apart.
      const outcome = await readResult(job);
      if (!outcome.ok) {
        return { state: outcome.cancelled ? 'cancelled' : 'failed', progress, error: { code: outcome.code, message: outcome.message }, ...logs };
      }
      if (!loraOf(job, outcome.output)) {
        return { state: 'failed', progress, error: { code: 'NO_LORA_FILE', message: 'The trainer finished but returned no LoRA file.' }, ...logs };
      }
      return { state: 'completed', progress: finishedProgress(progress), ...logs };
    },

    async cancel(job: RemoteJob): Promise<CancelOutcome> {
      const response = await call('PUT', `${requestUrl(job)}/cancel`, 'cancel the training');
      const status = (response.body as { status?: unknown } | undefined)?.status;
      if (response.status === 404 || status === 'NOT_FOUND') return 'not-found';
      if (status === 'ALREADY_COMPLETED') return 'already-completed';
      // fal confirms nothing synchronously: the request ends COMPLETED later, and the result says cancelled or not.
      if (response.status >= 200 && response.status < 300) return 'requested';
      if (response.status === 400) return 'already-completed';
      throw falRefusal(response, 'cancel the training');
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

/** A fal file's name: its own, else the last segment of its URL, else the fallback. */
function fileNameOf(file: FalFile, fallback: string): string {
  let last = '';
  try { last = decodeURIComponent(new URL(file.url).pathname.split('/').pop() || ''); } catch { /* not a URL we can read a name from */ }
  return file.file_name || last || fallback;
}

const described = (file: FalFile) => ({
  ...(typeof file.file_size === 'number' ? { sizeBytes: file.file_size } : {}),
  ...(typeof file.content_type === 'string' && file.content_type ? { contentType: file.content_type } : {}),
});

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
