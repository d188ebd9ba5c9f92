import { ownedJob } from '#app/get-job';
import { publicJob } from '#domain/job-lifecycle';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('get-job', async ({ owner, path }) =>
  ({ body: publicJob(await ownedJob(owner, path.jobId)) }));
