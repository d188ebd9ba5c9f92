import { createDataset } from '#app/create-dataset';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('create-dataset', async ({ owner, body, now }) =>
  ({ body: await createDataset(owner, body.name, now) }));
