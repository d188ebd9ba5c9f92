import { listOwnDatasets } from '#app/list-datasets';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute({}, async ({ owner }) => ({ status: 200, body: { datasets: await listOwnDatasets(owner) } }));
