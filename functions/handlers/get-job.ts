import { ownedJob } from '#app/get-job';
import { publicJob } from '#domain/job-lifecycle';
import { JobPath } from '#http/paths';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute({ path: JobPath }, async ({ owner, path }) =>
  ({ status: 200, body: publicJob(await ownedJob(owner, path.jobId)) }));
