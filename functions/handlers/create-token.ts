import { createToken } from '#app/create-token';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('create-token', async ({ owner, body, now }) =>
  ({ body: await createToken(owner, body.name, body.expiresInDays, now) }));
