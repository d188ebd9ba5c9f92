import { getDataset, listVersions } from '../adapters/dataset-store';
import { NotFound } from '../domain/errors';
import { DatasetPath } from '../http/paths';
import { httpRoute } from '../http/http-route';

export const handler = httpRoute({ path: DatasetPath }, async ({ owner, path }) => {
  const dataset = await getDataset(owner, path.datasetId);
  if (!dataset) throw new NotFound('DATASET_NOT_FOUND', `Dataset ${path.datasetId} does not exist.`);
  return { status: 200, body: { ...dataset, versions: await listVersions(owner, dataset.id) } };
});
