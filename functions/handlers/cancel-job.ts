import { requestJobCancel } from '#app/cancel-job';
import { publicJob } from '#domain/job-lifecycle';
import { JobPath } from '#http/paths';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute({ path: JobPath }, async ({ owner, path, now }) =>
  ({ status: 202, body: publicJob(await requestJobCancel(owner, path.jobId, now)) }));
