// A job of this owner, or NotFound: what every route about one job starts from.
import { NotFound } from '#domain/errors';
import type { JobRecord } from '#domain/job-lifecycle';
import { getJob } from '#adapters/job-store';

export async function ownedJob(owner: string, jobId: string): Promise<JobRecord> {
  const job = await getJob(owner, jobId);
  if (!job) throw new NotFound('JOB_NOT_FOUND', `Job ${jobId} does not exist.`);
  return job;
}
