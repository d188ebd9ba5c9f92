import { diffDatasetVersions } from '#app/diff-dataset-versions';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('diff-dataset-versions', async ({ owner, path, query }) =>
  ({ body: await diffDatasetVersions(owner, path.datasetId, path.version, query.from) }));
