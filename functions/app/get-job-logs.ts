// A job's trainer log lines (the bounded tail poll keeps), for its owner only: another owner's job is a 404.
import type { JobLogs } from '#domain/schemas';
import { getJobLogs } from '#adapters/job-log-store';
import { ownedJob } from './get-job';

export async function ownedJobLogs(owner: string, jobId: string): Promise<JobLogs> {
  await ownedJob(owner, jobId);
  return getJobLogs(owner, jobId);
}
