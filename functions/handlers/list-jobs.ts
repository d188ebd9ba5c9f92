import { listJobs } from '../adapters/job-store';
import { publicJob } from '../domain/job-lifecycle';
import { ListJobsQuery } from '../domain/schemas';
import { httpRoute } from '../http/http-route';

export const handler = httpRoute({ query: ListJobsQuery }, async ({ owner, query }) => {
  const page = await listJobs(owner, query);
  return { status: 200, body: { jobs: page.jobs.map(publicJob), ...(page.cursor ? { cursor: page.cursor } : {}) } };
});
