import { listOwnDatasets } from '#app/list-datasets';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('list-datasets', async ({ owner }) => ({ body: { datasets: await listOwnDatasets(owner) } }));
