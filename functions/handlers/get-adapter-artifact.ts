import { adapterArtifactLink } from '#app/get-adapter-artifact-link';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('get-adapter-artifact', async ({ owner, path, now }) =>
  ({ body: await adapterArtifactLink(owner, path.adapterId, path.name, now) }));
