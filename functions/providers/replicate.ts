// Replicate's trainings API behind the TrainerProvider interface.
// A training runs a model version's train() and writes a new version of a destination model the account owns;
// its output.weights is a tar holding lora.safetensors, which collect unpacks (TrainingOutput.archive).
// The trainer emulator speaks this protocol under {url}/replicate/v1, so this adapter runs unchanged against it.
import { replicateTarget, toReplicateInput } from './training-inputs';
import { textLogLines } from '#domain/job-logs';
import { finishedProgress } from '#domain/progress';
import type { Trainer } from '#domain/schemas';
import { fallbackTrainers } from '#domain/trainer-catalog';
import { callJson, type JsonAnswer } from './json-call';
import {
  TrainerRejected, TrainerUnavailable,
  type CancelOutcome, type RemoteJob, type RemoteStatus, type TrainerProvider, type TrainingOutput, type TrainingRequest,
} from './provider';
import { progressFromReplicateTraining, type ReplicateTrainingBody } from './replicate-progress';

export interface ReplicateProviderOptions {
  /** e.g. https://api.replicate.com/v1 */
  apiUrl: string;
  apiToken?: string;
  /** owner/name of the model each training writes a new version of (it must exist and belong to the account). */
  destination?: string;
  fetch?: typeof fetch;
  /** Per-call deadline. @default 20000 */
  timeoutMs?: number;
  /** Entries offered for Replicate. @default the Replicate entries of fallbackTrainers */
  trainers?: Trainer[];
}

/** A training as GET /v1/trainings/{id} returns it (the fields Loraworks reads). */
export interface ReplicateTraining extends ReplicateTrainingBody {
  id: string;
  error?: string | null;
  output?: { version?: string; weights?: string } | null;
}

/** Replicate's problem bodies: { title, detail, status, invalid_fields?: [{ field, description }] }. */
export function replicateErrorMessage(body: unknown, status: number): string {
  const record = (typeof body === 'object' && body !== null ? body : {}) as {
    detail?: unknown; title?: unknown; invalid_fields?: unknown;
  };
  const fields = Array.isArray(record.invalid_fields)
    ? (record.invalid_fields as { field?: string; description?: string }[])
      .map((item) => (item.field ? `${item.field}: ${item.description ?? 'invalid'}` : item.description)).filter(Boolean)
    : [];
  if (fields.length > 0) return fields.join('; ');
  for (const candidate of [record.detail, record.title]) if (typeof candidate === 'string' && candidate) return candidate;
  return `Replicate answered HTTP ${status}.`;
}

const withStop = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);

function refusal(answer: JsonAnswer, action: string, hasToken = true): Error {
  const message = withStop(replicateErrorMessage(answer.body, answer.status));
  if (answer.status === 429 || answer.status === 408 || answer.status >= 500) {
    return new TrainerUnavailable(`Replicate could not ${action} right now (HTTP ${answer.status}): ${message}`);
  }
  if (answer.status === 401 && !hasToken) {
    return new TrainerRejected('No Replicate API token is configured: set REPLICATE_API_TOKEN, or add it to the trainer secret.', 'TRAINER_AUTH');
  }
  if (answer.status === 401 || answer.status === 403) {
    return new TrainerRejected(`Replicate refused the API token while trying to ${action} (HTTP ${answer.status}): ${message} Check the trainer key.`, 'TRAINER_AUTH');
  }
  if (answer.status === 404) return new TrainerRejected(`Replicate does not know this training or model (${message}) Start the job again.`, 'TRAINER_NOT_FOUND');
  return new TrainerRejected(`Replicate refused to ${action}: ${message}`, answer.status === 422 ? 'TRAINER_INVALID_INPUT' : 'TRAINER_REJECTED');
}

const TERMINAL = new Set(['succeeded', 'failed', 'canceled', 'aborted']);

export function createReplicateProvider(options: ReplicateProviderOptions): TrainerProvider {
  const apiUrl = options.apiUrl.replace(/\/+$/, '');
  const doFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 20_000;
  const trainers = options.trainers ?? fallbackTrainers.filter((trainer) => trainer.provider === 'replicate');
  const versions = new Map<string, Promise<string>>();

  const call = (method: string, path: string, action: string, body?: unknown): Promise<JsonAnswer> => callJson({
    fetch: doFetch, url: `${apiUrl}${path}`, method, body, timeoutMs, who: 'Replicate', action,
    ...(options.apiToken ? { authorization: `Bearer ${options.apiToken}` } : {}),
  });

  /** A training object, or the reason there is none; answers without an id or status are retried. */
  async function training(response: JsonAnswer, action: string): Promise<ReplicateTraining> {
    if (response.status < 200 || response.status >= 300) throw refusal(response, action, Boolean(options.apiToken));
    const body = response.body as Partial<ReplicateTraining> | undefined;
    if (response.malformed || typeof body?.id !== 'string' || typeof body.status !== 'string') {
      throw new TrainerUnavailable(`Replicate answered the call to ${action} without a training (HTTP ${response.status}); asking again later.`);
    }
    return body as ReplicateTraining;
  }

  /** The newest version of a trainer model: trainings are created against a version. */
  function latestVersion(model: string): Promise<string> {
    let version = versions.get(model);
    if (!version) {
      version = (async () => {
        const response = await call('GET', `/models/${model}`, `find the trainer model ${model}`);
        if (response.status !== 200) throw refusal(response, `find the trainer model ${model}`, Boolean(options.apiToken));
        const id = (response.body as { latest_version?: { id?: unknown } } | undefined)?.latest_version?.id;
        if (typeof id !== 'string' || !id) throw new TrainerUnavailable(`Replicate listed no version of ${model}.`);
        return id;
      })();
      versions.set(model, version);
      version.catch(() => versions.delete(model));
    }
    return version;
  }

  const get = async (job: RemoteJob) =>
    training(await call('GET', `/trainings/${encodeURIComponent(job.requestId)}`, 'report the training status'), 'report the training status');

  function output(job: RemoteJob, body: ReplicateTraining): TrainingOutput | undefined {
    const weights = body.output?.weights;
    if (typeof weights !== 'string' || !weights) return undefined;
    const { archive } = replicateTarget(job.endpoint);
    // A trainer that delivers the safetensors file itself needs no unpacking.
    const packed = !/\.safetensors(?:$|\?)/i.test(weights);
    return { loraUrl: weights, fileName: archive.member.split('/').pop()!, ...(packed ? { archive } : {}) };
  }

  function statusOf(job: RemoteJob, body: ReplicateTraining): RemoteStatus {
    const progress = progressFromReplicateTraining(body);
    switch (body.status) {
      case 'starting':
        return { state: 'queued', progress };
      case 'processing':
        return { state: 'running', progress };
      case 'succeeded': {
        if (!output(job, body)) {
          return { state: 'failed', progress, error: { code: 'NO_LORA_FILE', message: 'The trainer finished but returned no LoRA weights.' } };
        }
        return { state: 'completed', progress: finishedProgress(progress) };
      }
      case 'failed':
        return { state: 'failed', progress, error: { code: 'TRAINING_FAILED', message: `The trainer failed: ${withStop(body.error || 'Replicate gave no reason')}` } };
      case 'canceled':
      case 'aborted':
        return { state: 'cancelled', progress, error: { code: 'CANCELLED', message: 'The training was cancelled at the trainer.' } };
      default:
        throw new TrainerUnavailable(`Replicate reported an unknown training status ${JSON.stringify(body.status)}.`);
    }
  }

  return {
    async listTrainers() {
      return trainers;
    },

    async submit(request: TrainingRequest) {
      if (!options.destination || !/^[^/\s]+\/[^/\s]+$/.test(options.destination)) {
        throw new TrainerRejected(
          'Replicate needs a destination model for trainings: create a model at replicate.com and set REPLICATE_DESTINATION to its owner/name.',
          'TRAINER_CONFIG',
        );
      }
      const map = replicateTarget(request.trainer.id);
      const version = await latestVersion(map.model);
      const action = 'start the training';
      const response = await call('POST', `/models/${map.model}/versions/${version}/trainings`, action, {
        destination: options.destination, input: toReplicateInput(request.trainer.id, request),
      });
      const created = await training(response, action);
      return { provider: 'replicate', endpoint: request.trainer.id, requestId: created.id };
    },

    async status(job: RemoteJob): Promise<RemoteStatus> {
      const body = await get(job);
      // Replicate's lines carry no time: they are stamped when they are stored (job-logs.ts).
      const logs = textLogLines(body.logs);
      return logs.length ? { ...statusOf(job, body), logs } : statusOf(job, body);
    },

    async cancel(job: RemoteJob): Promise<CancelOutcome> {
      const response = await call('POST', `/trainings/${encodeURIComponent(job.requestId)}/cancel`, 'cancel the training');
      if (response.status === 404) return 'not-found';
      const body = await training(response, 'cancel the training');
      if (body.status === 'canceled' || body.status === 'aborted') return 'cancelled';
      return TERMINAL.has(body.status) ? 'already-completed' : 'requested';
    },

    async result(job: RemoteJob): Promise<TrainingOutput> {
      const body = await get(job);
      if (body.status === 'failed') throw new TrainerRejected(`The trainer failed: ${withStop(body.error || 'Replicate gave no reason')}`, 'TRAINING_FAILED');
      if (body.status === 'canceled' || body.status === 'aborted') throw new TrainerRejected('The training was cancelled at the trainer.', 'CANCELLED');
      if (body.status !== 'succeeded') throw new TrainerUnavailable(`The training has not finished yet (${body.status}).`);
      const lora = output(job, body);
      if (!lora) throw new TrainerRejected('The trainer finished but returned no LoRA weights.', 'NO_LORA_FILE');
      return lora;
    },
  };
}
