import { listDatasets } from '../adapters/dataset-store';
import { httpRoute } from '../http/http-route';

export const handler = httpRoute({}, async ({ owner }) => ({ status: 200, body: { datasets: await listDatasets(owner) } }));
