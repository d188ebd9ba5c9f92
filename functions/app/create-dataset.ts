// A new, empty dataset; its versions come with uploads.
import { newDataset } from '#domain/datasets';
import { newId } from '#domain/ids';
import type { Dataset } from '#domain/schemas';
import { putDataset } from '#adapters/dataset-store';

export async function createDataset(owner: string, name: string, now: Date): Promise<Dataset> {
  const dataset = newDataset(newId(now), name, now);
  await putDataset(owner, dataset);
  return dataset;
}
