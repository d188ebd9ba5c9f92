import { httpRoute } from '#http/http-route';

export const handler = httpRoute({ auth: false }, async ({ now }) => ({ status: 200, body: { status: 'ok', time: now.toISOString() } }));
