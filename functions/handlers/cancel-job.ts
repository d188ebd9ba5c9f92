import { getJob, saveJob } from '../adapters/job-store';
import { NotFound } from '../domain/errors';
import { publicJob, requestCancel } from '../domain/job-lifecycle';
import { JobPath } from '../http/paths';
import { httpRoute } from '../http/http-route';

export const handler = httpRoute({ path: JobPath }, async ({ owner, path, now }) => {
  const job = await getJob(owner, path.jobId);
  if (!job) throw new NotFound('JOB_NOT_FOUND', `Job ${path.jobId} does not exist.`);
  const next = requestCancel(job, now);
  const saved = next === job ? job : await saveJob(job, next);
  return { status: 202, body: publicJob(saved) };
});
