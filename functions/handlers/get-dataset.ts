import { datasetWithVersions } from '#app/get-dataset';
import { DatasetPath } from '#http/paths';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute({ path: DatasetPath }, async ({ owner, path }) =>
  ({ status: 200, body: await datasetWithVersions(owner, path.datasetId) }));
