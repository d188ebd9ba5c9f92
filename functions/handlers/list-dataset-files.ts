import { listDatasetFiles } from '#app/list-dataset-files';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('list-dataset-files', async ({ owner, path, query, now }) =>
  ({ body: await listDatasetFiles(owner, path.datasetId, path.version, query, now) }));
