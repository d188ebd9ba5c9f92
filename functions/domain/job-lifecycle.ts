// The job's life: the only legal transitions (docs/internals.md, Job lifecycle). Pure: the clock and ids come in as arguments.
import { withHistory } from './job-history';
import { mergeProgress } from './progress';
import { Conflict } from './errors';
import type { RemoteJob, RemoteStatus } from './remote-job';
import { TERMINAL_STATUSES, type Artifact, type CreateJobRequest, type JobArtifact, type Job, type JobStatus, type ParamValues } from './schemas';

/** A job as stored: the public Job plus who owns it, where it runs at the trainer, and the reconciler's marks. */
export type JobRecord = Job & {
  owner: string;
  remote?: RemoteJob;
  /** Workflows the reconciler started for this job after its first (the n-th is named `${id}-r${n}`). */
  workflowRestarts?: number;
  /** When the reconciler last restarted its workflow. */
  reconciledAt?: string;
  /** Set just before the submit call to the trainer: from then on a cancel has to go through the trainer. */
  submittingAt?: string;
  /** A schedule's job with autoRegister: the adapter name its LoRA is registered under when it completes. */
  registerAs?: string;
};

export type JobOrigin = Job['origin'];

const TRANSITIONS: Record<JobStatus, readonly JobStatus[]> = {
  QUEUED: ['RUNNING', 'CANCELLING', 'COMPLETED', 'FAILED', 'CANCELLED'],
  RUNNING: ['CANCELLING', 'COMPLETED', 'FAILED', 'CANCELLED'],
  CANCELLING: ['COMPLETED', 'FAILED', 'CANCELLED'],
  COMPLETED: [],
  FAILED: [],
  CANCELLED: [],
};

export const isTerminal = (status: JobStatus): boolean => TERMINAL_STATUSES.includes(status);

export const canTransition = (from: JobStatus, to: JobStatus): boolean => TRANSITIONS[from].includes(to);

/** The statuses a job may be in for a move to `to` to be legal (used as the write condition). */
export const legalSources = (to: JobStatus): JobStatus[] =>
  (Object.keys(TRANSITIONS) as JobStatus[]).filter((from) => canTransition(from, to));

export interface NewJobInput {
  id: string;
  owner: string;
  request: Pick<CreateJobRequest, 'trainerId' | 'datasetId' | 'triggerPhrase'>;
  datasetVersion: number;
  params: ParamValues;
  origin: JobOrigin;
  at: Date;
  scheduleId?: string;
  registerAs?: string;
}

export function newJob({ id, owner, request, datasetVersion, params, origin, at, scheduleId, registerAs }: NewJobInput): JobRecord {
  const now = at.toISOString();
  return {
    id,
    owner,
    status: 'QUEUED',
    trainerId: request.trainerId,
    datasetId: request.datasetId,
    datasetVersion,
    triggerPhrase: request.triggerPhrase,
    params,
    origin,
    ...(scheduleId === undefined ? {} : { scheduleId }),
    ...(registerAs === undefined ? {} : { registerAs }),
    progress: { fraction: 0, message: 'Waiting for the trainer.' },
    createdAt: now,
    updatedAt: now,
  };
}

/** Moves a job, refusing an illegal move with a Conflict that says what state it is in. */
export function transition(job: JobRecord, to: JobStatus, at: Date, patch: Partial<JobRecord> = {}): JobRecord {
  if (!canTransition(job.status, to)) {
    throw new Conflict('JOB_STATE', `Job ${job.id} is ${job.status.toLowerCase()} and cannot become ${to.toLowerCase()}.`);
  }
  const finished = isTerminal(to) ? { finishedAt: at.toISOString() } : {};
  // Every status change is a point of the job's history (job-history.ts).
  return withHistory({ ...job, ...patch, ...finished, status: to, updatedAt: at.toISOString() });
}

export function requestCancel(job: JobRecord, at: Date): JobRecord {
  if (isTerminal(job.status)) throw new Conflict('JOB_FINISHED', `Job ${job.id} already ${job.status.toLowerCase()}.`);
  if (job.status === 'CANCELLING') return job;
  // Only a job no submit has started for can end at once; otherwise the trainer may have it (the workflow
  // then cancels it there, or collects the LoRA if it finished first).
  const to: JobStatus = job.status === 'QUEUED' && !job.remote && !job.submittingAt ? 'CANCELLED' : 'CANCELLING';
  const message = to === 'CANCELLED' ? 'Cancelled before it reached the trainer.' : 'Cancelling at the trainer.';
  return transition(job, to, at, { progress: { ...job.progress, message } });
}

export type PollOutcome = 'waiting' | 'completed' | 'failed' | 'cancelled';

/**
 * What a trainer status means for the job: QUEUED becomes RUNNING once the trainer starts, progress only
 * moves forward, and the outcome tells the workflow where to go next. The job is never finished here:
 * completion needs the LoRA stored first, failure and cancel have their own steps.
 */
export function applyStatus(job: JobRecord, remote: RemoteStatus, at: Date): { job: JobRecord; outcome: PollOutcome } {
  const progress = mergeProgress(job.progress, remote.progress);
  const started = remote.state === 'running' || remote.state === 'completed';
  let next: JobRecord = { ...job, progress };
  if (started && job.status === 'QUEUED') {
    next = transition(next, 'RUNNING', at, { startedAt: at.toISOString() });
  } else if (progress !== job.progress) {
    // A new fraction or queue position is a point of the history; a new message alone is not.
    next = withHistory({ ...next, updatedAt: at.toISOString() });
  }
  const outcome: PollOutcome =
    remote.state === 'completed' ? 'completed'
    : remote.state === 'failed' ? 'failed'
    : remote.state === 'cancelled' ? 'cancelled'
    : 'waiting';
  return { job: next, outcome };
}

/** `artifacts`: every file stored, the main LoRA (`artifact`) first. */
export function complete(job: JobRecord, artifact: Artifact, at: Date, artifacts?: JobArtifact[]): JobRecord {
  const beforeCancel = job.status === 'CANCELLING' ? { completedBeforeCancel: true } : {};
  return transition(job, 'COMPLETED', at, {
    ...beforeCancel,
    artifact,
    ...(artifacts ? { artifacts } : {}),
    progress: { ...job.progress, fraction: 1, etaSeconds: 0, message: 'LoRA ready to download.' },
  });
}

export function fail(job: JobRecord, error: { code: string; message: string }, at: Date): JobRecord {
  return transition(job, 'FAILED', at, { error, progress: { ...job.progress, message: error.message } });
}

export function cancelled(job: JobRecord, at: Date): JobRecord {
  return transition(job, 'CANCELLED', at, { progress: { ...job.progress, message: 'Cancelled.' } });
}

/** The job as the API shows it: no owner, no trainer-side handles. */
export function publicJob(job: JobRecord): Job {
  const { owner: _owner, remote: _remote, workflowRestarts: _restarts, reconciledAt: _reconciled, submittingAt: _submitting, registerAs: _registerAs, ...rest } = job;
  return rest;
}
