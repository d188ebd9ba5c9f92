import { putDataset } from '../adapters/dataset-store';
import { newDataset } from '../domain/datasets';
import { newId } from '../domain/ids';
import { CreateDatasetRequest } from '../domain/schemas';
import { httpRoute } from '../http/http-route';

export const handler = httpRoute({ body: CreateDatasetRequest }, async ({ owner, body, now }) => {
  const dataset = newDataset(newId(now), body.name, now);
  await putDataset(owner, dataset);
  return { status: 201, body: dataset };
});
