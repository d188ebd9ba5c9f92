import { jobArtifactLink } from '#app/get-artifact-link';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('get-job-artifact', async ({ owner, path, now }) =>
  ({ body: await jobArtifactLink(owner, path.jobId, path.name, now) }));
