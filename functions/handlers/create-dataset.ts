import { createDataset } from '#app/create-dataset';
import { CreateDatasetRequest } from '#domain/schemas';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute({ body: CreateDatasetRequest }, async ({ owner, body, now }) =>
  ({ status: 201, body: await createDataset(owner, body.name, now) }));
