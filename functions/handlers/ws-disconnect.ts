import { closeConnection } from '../app/connections';
import { ok, wsRoute } from '../events/ws-route';

export const handler = wsRoute(async (event) => {
  const owner = event.requestContext.authorizer?.owner;
  // Without an owner there is no key to delete; the connection's TTL removes it.
  if (owner) await closeConnection(owner, event.requestContext.connectionId);
  return ok;
});
