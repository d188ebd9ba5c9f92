import { listTokens } from '#app/list-tokens';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('list-tokens', async ({ owner }) => ({ body: { tokens: await listTokens(owner) } }));
