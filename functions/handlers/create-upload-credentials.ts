import { createUploadCredentials } from '#app/create-upload-credentials';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('create-upload-credentials', async ({ owner }) =>
  ({ body: await createUploadCredentials(owner) }));
