// Failing a job: any remote work still going is stopped (best effort: the job fails either way), then the
// job ends FAILED with a message a person can act on.
import type { Failure } from '#domain/job-failures';
import { fail, type JobRecord } from '#domain/job-lifecycle';
import { logger } from '#adapters/logger';
import { providerFor } from '#adapters/trainers';
import { finishJob } from './finish-job';

export async function failJob(job: JobRecord, failure: Failure, now: Date): Promise<JobRecord> {
  if (job.remote) {
    const remote = job.remote;
    await providerFor(remote)
      .then((provider) => provider.cancel(remote))
      .catch((error: unknown) => logger.warn('Best-effort cancel at the trainer failed', { error: String(error) }));
  }
  return finishJob(job, (current) => fail(current, failure, now));
}
