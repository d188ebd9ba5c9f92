import { requestJobCancel } from '#app/cancel-job';
import { publicJob } from '#domain/job-lifecycle';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('cancel-job', async ({ owner, path, now }) =>
  ({ body: publicJob(await requestJobCancel(owner, path.jobId, now)) }));
