// One dataset of this owner with all its versions, or NotFound.
import { NotFound } from '#domain/errors';
import type { Dataset, DatasetVersion } from '#domain/schemas';
import { getDataset, listVersions } from '#adapters/dataset-store';

export async function datasetWithVersions(owner: string, datasetId: string): Promise<Dataset & { versions: DatasetVersion[] }> {
  const dataset = await getDataset(owner, datasetId);
  if (!dataset) throw new NotFound('DATASET_NOT_FOUND', `Dataset ${datasetId} does not exist.`);
  return { ...dataset, versions: await listVersions(owner, dataset.id) };
}
