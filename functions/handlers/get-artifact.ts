import { artifactLink } from '#app/get-artifact-link';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('get-artifact', async ({ owner, path, now }) =>
  ({ body: await artifactLink(owner, path.jobId, now) }));
