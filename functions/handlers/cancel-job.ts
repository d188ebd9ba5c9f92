import { getJob, updateJob } from '../adapters/job-store';
import { NotFound } from '../domain/errors';
import { publicJob, requestCancel } from '../domain/job-lifecycle';
import { JobPath } from '../http/paths';
import { httpRoute } from '../http/http-route';

export const handler = httpRoute({ path: JobPath }, async ({ owner, path, now }) => {
  const job = await getJob(owner, path.jobId);
  if (!job) throw new NotFound('JOB_NOT_FOUND', `Job ${path.jobId} does not exist.`);
  // Re-read and decide again when the workflow moved the job meanwhile (it may have just reached the
  // trainer, which turns an immediate CANCELLED into CANCELLING).
  const saved = await updateJob(job, (current) => requestCancel(current, now));
  return { status: 202, body: publicJob(saved) };
});
