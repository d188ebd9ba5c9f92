// Registering a trained LoRA (an "adapter" in the API): only a completed job's stored file can be registered, and
// the record keeps what a generator needs to use it (trigger phrase, trainer, the file).
import { Conflict } from './errors';
import type { JobRecord } from './job-lifecycle';
import type { Adapter } from './schemas';

export function registerLora(job: JobRecord, name: string, id: string, at: Date, source: Adapter['source'] = 'job'): Adapter {
  if (job.status !== 'COMPLETED' || !job.artifact) {
    throw new Conflict('JOB_NOT_COMPLETED', `Job ${job.id} is ${job.status.toLowerCase()}; only a completed job's LoRA can be registered.`);
  }
  return {
    id,
    name,
    source,
    jobId: job.id,
    trainerId: job.trainerId,
    triggerPhrase: job.triggerPhrase,
    artifact: job.artifact,
    createdAt: at.toISOString(),
  };
}

/** The refusal of a second registration of a job: it names the registration that already holds the job. */
export const alreadyRegistered = (jobId: string, existing: { id: string; name: string }): Conflict =>
  new Conflict(
    'JOB_ALREADY_REGISTERED',
    `Job ${jobId} is already registered as the LoRA "${existing.name}" (adapter ${existing.id}); use that one, or delete it before registering the job again.`,
  );
