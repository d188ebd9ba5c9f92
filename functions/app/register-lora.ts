// Registering a completed job's LoRA in the owner's registry (an "adapter" in the API): by hand from a job, or
// by the collect step for a schedule's job with autoRegister.
import { isDomainError } from '#domain/errors';
import { newId } from '#domain/ids';
import type { JobRecord } from '#domain/job-lifecycle';
import { alreadyRegistered, registerLora as registration } from '#domain/lora-registry';
import type { Adapter } from '#domain/schemas';
import { logger } from '#adapters/logger';
import { putRegisteredLora } from '#adapters/lora-registry-store';
import { ownedJob } from './get-job';

async function registerJob(job: JobRecord, name: string, now: Date, source: Adapter['source']): Promise<Adapter> {
  const entry = registration(job, name, newId(now), now, source);
  const outcome = await putRegisteredLora(job.owner, { ...entry, jobId: job.id });
  if (!outcome.registered) throw alreadyRegistered(job.id, outcome.existing);
  return entry;
}

export async function registerLora(owner: string, jobId: string, name: string, now: Date): Promise<Adapter> {
  return registerJob(await ownedJob(owner, jobId), name, now, 'job');
}

/**
 * A completed job a schedule started with autoRegister: its LoRA registered under the name the schedule gave.
 * Already registered (a retried collect) is fine; a failure is logged and never fails the job.
 */
export async function registerScheduledLora(job: JobRecord, now: Date): Promise<void> {
  if (job.status !== 'COMPLETED' || !job.registerAs) return;
  try {
    const adapter = await registerJob(job, job.registerAs, now, 'schedule');
    logger.info('LoRA registered for its schedule', { jobId: job.id, scheduleId: job.scheduleId, adapterId: adapter.id });
  } catch (error) {
    if (isDomainError(error) && error.code === 'JOB_ALREADY_REGISTERED') return;
    logger.warn('Could not register the LoRA of a scheduled job', { jobId: job.id, scheduleId: job.scheduleId, error: String(error) });
  }
}
