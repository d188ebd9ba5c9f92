import { httpRoute } from '#http/http-route';

export const handler = httpRoute('health', async ({ now }) => ({ body: { status: 'ok', time: now.toISOString() } }));
