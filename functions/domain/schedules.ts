// Schedules (automated retraining): the stored record, a PATCH applied to it, what the API shows of it, the
// id of one firing's run, and what a firing does with the dataset as it finds it. Pure: clock and ids come in.
import { createHash } from 'node:crypto';
import { encodeTime } from 'ulid';
import { Invalid } from './errors';
import { ScheduleExpressionError, checkStillFires, checkTimeZone, nextRuns, parseScheduleExpression } from './schedule-expression';
import type { CreateScheduleRequest, Dataset, DatasetVersion, JobStatus, Schedule, ScheduleRun, UpdateScheduleRequest } from './schemas';

/** A schedule as stored: the API's Schedule (without the computed nextRunAt) plus its owner and what it trained last. */
export type ScheduleRecord = Omit<Schedule, 'nextRunAt'> & {
  owner: string;
  /** The dataset version of the last STARTED run: onlyIfDatasetChanged skips while the latest READY is this one. */
  lastTrainedVersion?: number;
  /** That run's job: a version whose job failed or was cancelled was not trained. */
  lastTrainedJobId?: string;
};

/** A run as stored: the API's ScheduleRun plus the owner. */
export type ScheduleRunRecord = ScheduleRun & { owner: string };

const ADAPTER_NAME_MAX = 120;

/** The expression and zone checked together, as a 422 naming the field at fault; an at() must still lie ahead. */
export function checkTiming(expression: string, timezone: string, now: Date): void {
  const refuse = (field: 'expression' | 'timezone', message: string): never => {
    throw new Invalid('INVALID_SCHEDULE', message, [{ field, message }]);
  };
  try {
    checkTimeZone(timezone);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) refuse('timezone', error.message);
    throw error;
  }
  try {
    parseScheduleExpression(expression);
    checkStillFires(expression, timezone, now);
  } catch (error) {
    if (error instanceof ScheduleExpressionError) refuse('expression', error.message);
    throw error;
  }
}

export function newSchedule(id: string, owner: string, request: CreateScheduleRequest, at: Date): ScheduleRecord {
  checkTiming(request.expression, request.timezone, at);
  const now = at.toISOString();
  return {
    id,
    owner,
    name: request.name,
    datasetId: request.datasetId,
    trainerId: request.trainerId,
    triggerPhrase: request.triggerPhrase,
    params: request.params,
    expression: request.expression,
    timezone: request.timezone,
    onlyIfDatasetChanged: request.onlyIfDatasetChanged,
    autoRegister: request.autoRegister,
    enabled: request.enabled,
    createdAt: now,
    updatedAt: now,
  };
}

/**
 * A PATCH on a stored schedule: a changed expression or zone is checked together with the other's stored value
 * (and an at() must still lie ahead); pointing the schedule at another dataset forgets what it trained.
 */
export function applyUpdate(schedule: ScheduleRecord, patch: UpdateScheduleRequest, at: Date): ScheduleRecord {
  const changed = Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as UpdateScheduleRequest;
  const next: ScheduleRecord = { ...schedule, ...changed, updatedAt: at.toISOString() };
  if (changed.expression !== undefined || changed.timezone !== undefined) checkTiming(next.expression, next.timezone, at);
  if (changed.datasetId !== undefined && changed.datasetId !== schedule.datasetId) {
    delete next.lastTrainedVersion;
    delete next.lastTrainedJobId;
  }
  return next;
}

/** Whether a PATCH changes what a job of the schedule would be asked to train (so the trainer checks run again). */
export const changesTraining = (patch: UpdateScheduleRequest): boolean =>
  patch.trainerId !== undefined || patch.params !== undefined || patch.triggerPhrase !== undefined;

/**
 * The next time the schedule fires after `now`: none while paused or once an at() has passed. A rate() counts
 * from the schedule's creation, as Scheduler counts it from its schedule's.
 */
export function nextRunAt(schedule: Pick<ScheduleRecord, 'expression' | 'timezone' | 'enabled' | 'createdAt'>, now: Date): Date | undefined {
  if (!schedule.enabled) return undefined;
  try {
    return nextRuns(schedule.expression, schedule.timezone, now, 1, { start: new Date(schedule.createdAt) })[0];
  } catch (error) {
    // A stored expression was checked when written; one this code no longer reads shows no next run.
    if (error instanceof ScheduleExpressionError) return undefined;
    throw error;
  }
}

export function publicSchedule(schedule: ScheduleRecord, now: Date): Schedule {
  const { owner: _owner, lastTrainedVersion: _trained, lastTrainedJobId: _job, ...rest } = schedule;
  const next = nextRunAt(schedule, now);
  return { ...rest, ...(next ? { nextRunAt: next.toISOString() } : {}) };
}

export function publicRun(run: ScheduleRunRecord): ScheduleRun {
  const { owner: _owner, ...rest } = run;
  return rest;
}

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * The id of the run of one firing: ULID-shaped, its time part the scheduled time (runs list in time order), its
 * random part a hash of the schedule and that time. The same firing delivered twice gets the same id.
 */
export function runId(scheduleId: string, scheduledAt: Date): string {
  const hash = createHash('sha256').update(`${scheduleId}|${scheduledAt.toISOString()}`).digest();
  const tail = Array.from({ length: 16 }, (_, i) => CROCKFORD[hash[i]! % 32]).join('');
  return `${encodeTime(scheduledAt.getTime(), 10)}${tail}`;
}

/** The name a LoRA of the schedule is registered under: the schedule, the dataset and the version it learnt. */
export function adapterName(scheduleName: string, datasetName: string, version: number): string {
  const name = `${scheduleName} · ${datasetName} v${version}`;
  return name.length <= ADAPTER_NAME_MAX ? name : `${name.slice(0, ADAPTER_NAME_MAX - 1)}…`;
}

export type RunDecision =
  | { outcome: 'FAILED'; reason: string; datasetVersion?: number }
  | { outcome: 'SKIPPED'; reason: string; datasetVersion: number }
  | { outcome: 'START'; datasetVersion: number };

function whyNotTrainable(version: DatasetVersion): string {
  if (version.status === 'INVALID') {
    const errors = version.report?.errors ?? [];
    // The first few findings say enough; the version's report has them all.
    return errors.length > 0 ? errors.slice(0, 3).map((e) => e.message).join('; ') : 'it failed validation';
  }
  return version.status === 'UPLOADING' ? 'its upload has not finished' : 'it is still being validated';
}

/**
 * What a firing does with the dataset as it is now: fail when the dataset is gone, has no version, or its latest
 * version is INVALID (the newest upload is broken: the user should hear of it, not get an older one retrained)
 * or none is READY yet; skip when onlyIfDatasetChanged and the latest READY version is the one last trained
 * (unless that training failed or was cancelled: `lastTrainedStatus`, the status of its job); else train the
 * latest READY version.
 */
export function decideRun(
  schedule: Pick<ScheduleRecord, 'datasetId' | 'onlyIfDatasetChanged' | 'lastTrainedVersion'>,
  dataset: Dataset | null | undefined,
  versions: readonly DatasetVersion[],
  lastTrainedStatus?: JobStatus,
): RunDecision {
  if (!dataset) {
    return { outcome: 'FAILED', reason: `dataset ${schedule.datasetId} no longer exists; point the schedule at another dataset or delete it.` };
  }
  const newestFirst = [...versions].sort((a, b) => b.version - a.version);
  const latest = newestFirst[0];
  if (!latest) return { outcome: 'FAILED', reason: `dataset ${dataset.name} has no version yet; upload a zip to it.` };
  const ready = newestFirst.find((v) => v.status === 'READY');
  if (latest.status === 'INVALID' || !ready) {
    return {
      outcome: 'FAILED',
      datasetVersion: latest.version,
      reason: `the latest version v${latest.version} of dataset ${dataset.name} is ${latest.status}: ${whyNotTrainable(latest)}.`,
    };
  }
  const trained = lastTrainedStatus !== 'FAILED' && lastTrainedStatus !== 'CANCELLED';
  if (schedule.onlyIfDatasetChanged && trained && ready.version === schedule.lastTrainedVersion) {
    return { outcome: 'SKIPPED', datasetVersion: ready.version, reason: `dataset unchanged since v${ready.version}` };
  }
  return { outcome: 'START', datasetVersion: ready.version };
}
