// A firing of a schedule (Scheduler invoking `retrain`, or POST /schedules/{id}/run): decide on the dataset as it
// is now, start the job through startJob (same checks), write the run once per firing and show it as the
// schedule's last. Scheduler delivers at least once: the run id comes from the schedule and the scheduled time,
// and so does the job's idempotency key, so a firing delivered twice, even at the same moment, is one run and one
// job. Only a transient failure throws (Scheduler then retries); FAILED and SKIPPED are answers.
import { z } from 'zod';
import { isDomainError } from '#domain/errors';
import { adapterName, decideRun, publicRun, runId, type ScheduleRecord, type ScheduleRunRecord } from '#domain/schedules';
import type { Dataset, ScheduleRun } from '#domain/schemas';
import { getDataset, listVersions } from '#adapters/dataset-store';
import { getJob } from '#adapters/job-store';
import { logger } from '#adapters/logger';
import { getRun, getSchedule, putRunOnce, recordRun } from '#adapters/schedule-store';
import { ownedSchedule } from './get-schedule';
import { startJob } from './start-job';

/** The target input of a Scheduler schedule (adapters/scheduler.ts), the firing's time filled in by Scheduler. */
export const RetrainEvent = z.object({
  scheduleId: z.string().min(1),
  owner: z.string().min(1),
  scheduledAt: z.string().refine((value) => !Number.isNaN(Date.parse(value)), 'scheduledAt is not a time'),
});
export type RetrainEvent = z.infer<typeof RetrainEvent>;

async function startRun(schedule: ScheduleRecord, dataset: Dataset, version: number, run: Pick<ScheduleRunRecord, 'id' | 'scheduleId' | 'at' | 'owner'>, now: Date): Promise<ScheduleRunRecord> {
  try {
    const { job } = await startJob({
      owner: schedule.owner,
      request: {
        trainerId: schedule.trainerId, datasetId: schedule.datasetId, datasetVersion: version,
        triggerPhrase: schedule.triggerPhrase ?? '', params: schedule.params,
      },
      origin: 'schedule',
      scheduleId: schedule.id,
      idempotencyKey: `schedule-run:${run.id}`,
      ...(schedule.autoRegister ? { registerAs: adapterName(schedule.name, dataset.name, version) } : {}),
      at: now,
    });
    return { ...run, outcome: 'STARTED', datasetVersion: version, jobId: job.id };
  } catch (error) {
    // The job's own refusals (a version that does not fit the trainer, a trainer gone) are the run's reason.
    if (!isDomainError(error)) throw error;
    return { ...run, outcome: 'FAILED', datasetVersion: version, reason: error.message };
  }
}

async function runSchedule(schedule: ScheduleRecord, scheduledAt: Date, now: Date): Promise<ScheduleRun> {
  const base = { id: runId(schedule.id, scheduledAt), scheduleId: schedule.id, at: scheduledAt.toISOString(), owner: schedule.owner };
  const earlier = await getRun(schedule.owner, schedule.id, base.id);
  let run: ScheduleRunRecord;
  if (earlier) {
    run = earlier;
  } else {
    const dataset = await getDataset(schedule.owner, schedule.datasetId);
    const lastTrained = schedule.lastTrainedJobId ? await getJob(schedule.owner, schedule.lastTrainedJobId) : null;
    const decision = decideRun(schedule, dataset, dataset ? await listVersions(schedule.owner, dataset.id) : [], lastTrained?.status);
    run = decision.outcome === 'START'
      ? await startRun(schedule, dataset!, decision.datasetVersion, base, now)
      : { ...base, ...decision };
    run = (await putRunOnce(run)).run;
  }
  // Again for a duplicate: the first delivery may have stopped between the run and the schedule.
  await recordRun(run, run.outcome === 'STARTED' && run.jobId && run.datasetVersion !== undefined ? { version: run.datasetVersion, jobId: run.jobId } : undefined);
  logger.info('Schedule run', { scheduleId: schedule.id, runId: run.id, outcome: run.outcome, jobId: run.jobId, duplicate: Boolean(earlier) });
  return publicRun(run);
}

/** Scheduler's firing. A schedule deleted meanwhile drops it quietly: a FAILED answer, nothing written. */
export async function retrain(event: RetrainEvent, now = new Date()): Promise<ScheduleRun> {
  const scheduledAt = new Date(event.scheduledAt);
  const schedule = await getSchedule(event.owner, event.scheduleId);
  if (!schedule) {
    logger.info('Firing of a deleted schedule dropped', { scheduleId: event.scheduleId });
    return {
      id: runId(event.scheduleId, scheduledAt), scheduleId: event.scheduleId, at: scheduledAt.toISOString(),
      outcome: 'FAILED', reason: `schedule ${event.scheduleId} no longer exists`,
    };
  }
  return runSchedule(schedule, scheduledAt, now);
}

/** POST /schedules/{id}/run: a firing at `now`, with the same rules. */
export async function runScheduleNow(owner: string, scheduleId: string, now: Date): Promise<ScheduleRun> {
  return runSchedule(await ownedSchedule(owner, scheduleId), now, now);
}
