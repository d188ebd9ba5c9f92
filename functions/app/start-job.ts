// Starting a job, the one path every way of starting one takes (POST /jobs and a sidecar's auto-start today;
// a scheduled retrain is one more caller): check the trainer, the parameters and the dataset version, write a
// QUEUED job (once per idempotency key), start its workflow.
import { createHash } from 'node:crypto';
import { ensureTrainable, pickVersion } from '#domain/datasets';
import { Conflict, NotFound } from '#domain/errors';
import { newId } from '#domain/ids';
import { newJob, type JobOrigin, type JobRecord } from '#domain/job-lifecycle';
import { estimateJob } from '#domain/estimates';
import type { CreateJobRequest, DatasetVersion, ParamValues, Trainer } from '#domain/schemas';
import { listVersions, recordVersionJob } from '#adapters/dataset-store';
import { createJob, createJobOnce, getIdempotencyRecord } from '#adapters/job-creation';
import { getJob } from '#adapters/job-store';
import { logger } from '#adapters/logger';
import { startTraining } from '#adapters/workflow';
import { checkTrainingChoices, ownedDataset } from './training-choices';

const IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

export interface StartJobInput {
  owner: string;
  request: CreateJobRequest;
  origin: JobOrigin;
  idempotencyKey?: string;
  at: Date;
  /** The schedule starting the job (origin `schedule`), and the adapter name its LoRA is registered under when it completes. */
  scheduleId?: string;
  registerAs?: string;
}

/** Key order must not change the hash: the same request sent twice hashes the same. */
function stableJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${stableJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

const requestHash = (request: CreateJobRequest): string => createHash('sha256').update(stableJson(request)).digest('hex');

const reused = () => new Conflict('IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was already used with a different request. Use a new key for a new job.');

async function replay(owner: string, jobId: string): Promise<JobRecord> {
  const job = await getJob(owner, jobId);
  if (!job) throw new NotFound('JOB_NOT_FOUND', `Job ${jobId} does not exist.`);
  // A first attempt may have stored the job and then failed to start it; starting again is harmless.
  if (job.status === 'QUEUED' && !job.remote) await startTraining(job.id, owner);
  return job;
}

/** Every check a job start makes before anything is written (POST /jobs/estimate makes the same ones): the trainer
 * and its parameters (422), the caller's dataset (404), a version that can be trained on (409). */
export async function checkJobRequest(owner: string, request: CreateJobRequest): Promise<{ trainer: Trainer; values: ParamValues; version: DatasetVersion }> {
  const { trainer, values } = await checkTrainingChoices(request);
  const dataset = await ownedDataset(owner, request.datasetId);
  const version = pickVersion(dataset, await listVersions(owner, dataset.id), request.datasetVersion);
  ensureTrainable(dataset, version, trainer);
  return { trainer, values, version };
}

export async function startJob({ owner, request, origin, idempotencyKey, at, scheduleId, registerAs }: StartJobInput): Promise<{ job: JobRecord; created: boolean }> {
  const bodyHash = requestHash(request);
  if (idempotencyKey) {
    const record = await getIdempotencyRecord(owner, idempotencyKey);
    if (record && record.expiresAt >= Math.floor(at.getTime() / 1000)) {
      if (record.bodyHash !== bodyHash) throw reused();
      return { job: await replay(owner, record.jobId), created: false };
    }
  }

  const { trainer, values, version } = await checkJobRequest(owner, request);
  const job: JobRecord = {
    ...newJob({ id: newId(at), owner, request, datasetVersion: version.version, params: values, origin, at, scheduleId, registerAs }),
    estimate: estimateJob(trainer, values),
  };
  if (idempotencyKey) {
    const outcome = await createJobOnce(job, { key: idempotencyKey, bodyHash, ttlSeconds: IDEMPOTENCY_TTL_SECONDS }, at);
    if (!outcome.created) {
      if (outcome.bodyHash !== bodyHash) throw reused();
      return { job: await replay(owner, outcome.jobId), created: false };
    }
  } else {
    await createJob(job);
  }
  // Lineage: the version lists the jobs that trained on it (best effort; the job stands either way).
  await recordVersionJob(owner, job.datasetId, job.datasetVersion, job.id).catch((error: unknown) =>
    logger.warn('Could not record the job on its dataset version', { jobId: job.id, error: String(error) }));
  await startTraining(job.id, owner);
  return { job, created: true };
}
