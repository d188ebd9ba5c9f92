import { listLoras } from '#app/list-loras';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute({}, async ({ owner }) => ({ status: 200, body: { adapters: await listLoras(owner) } }));
