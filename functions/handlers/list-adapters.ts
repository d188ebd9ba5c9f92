import { listAdapters } from '../adapters/lora-adapter-store';
import { httpRoute } from '../http/http-route';

export const handler = httpRoute({}, async ({ owner }) => ({ status: 200, body: { adapters: await listAdapters(owner) } }));
