import { createUpload } from '#app/create-upload';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('create-upload', async ({ owner, path, body, now }) =>
  ({ body: await createUpload(owner, path.datasetId, body, now) }));
