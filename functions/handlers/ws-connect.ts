import { openConnection } from '#app/connections';
import { ok, wsRoute } from '#events/ws-route';

export const handler = wsRoute(async (event) => {
  const owner = event.requestContext.authorizer?.owner;
  if (!owner) return { statusCode: 401, body: 'Unauthorized' };
  await openConnection(owner, event.requestContext.connectionId, new Date());
  return ok;
});
