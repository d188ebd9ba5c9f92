import { artifactLink } from '#app/get-artifact-link';
import { JobPath } from '#http/paths';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute({ path: JobPath }, async ({ owner, path, now }) =>
  ({ status: 200, body: await artifactLink(owner, path.jobId, now) }));
