import { revokeToken } from '#app/revoke-token';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('delete-token', async ({ owner, path }) => {
  await revokeToken(owner, path.tokenId);
  return {};
});
