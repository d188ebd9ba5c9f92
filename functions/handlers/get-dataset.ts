import { datasetWithVersions } from '#app/get-dataset';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('get-dataset', async ({ owner, path }) =>
  ({ body: await datasetWithVersions(owner, path.datasetId) }));
