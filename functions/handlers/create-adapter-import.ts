import { createAdapterImport } from '#app/create-adapter-import';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('create-adapter-import', async ({ owner, body, now }) =>
  ({ body: await createAdapterImport(owner, body, now) }));
