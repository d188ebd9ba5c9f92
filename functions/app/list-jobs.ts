// An owner's jobs, newest first, a page at a time, as the API shows them.
import { publicJob } from '#domain/job-lifecycle';
import type { z } from 'zod';
import type { Job, ListJobsQuery } from '#domain/schemas';
import { listJobs } from '#adapters/job-store';

export async function listOwnJobs(owner: string, query: z.output<typeof ListJobsQuery>): Promise<{ jobs: Job[]; cursor?: string }> {
  const page = await listJobs(owner, query);
  return { jobs: page.jobs.map(publicJob), ...(page.cursor ? { cursor: page.cursor } : {}) };
}
