import { getJob } from '../adapters/job-store';
import { NotFound } from '../domain/errors';
import { publicJob } from '../domain/job-lifecycle';
import { JobPath } from '../http/paths';
import { httpRoute } from '../http/http-route';

export const handler = httpRoute({ path: JobPath }, async ({ owner, path }) => {
  const job = await getJob(owner, path.jobId);
  if (!job) throw new NotFound('JOB_NOT_FOUND', `Job ${path.jobId} does not exist.`);
  return { status: 200, body: publicJob(job) };
});
