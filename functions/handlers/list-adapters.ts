import { listLoras } from '#app/list-loras';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('list-adapters', async ({ owner }) => ({ body: { adapters: await listLoras(owner) } }));
