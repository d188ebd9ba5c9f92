import { createDatasetVersion } from '#app/create-dataset-version';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('create-dataset-version', async ({ owner, path, body, now }) =>
  ({ body: await createDatasetVersion(owner, path.datasetId, body, now) }));
