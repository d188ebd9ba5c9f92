import { closeConnection } from '#app/connections';
import { ok, wsRoute } from '#events/ws-route';

export const handler = wsRoute(async (event) => {
  await closeConnection(event.requestContext.authorizer?.owner, event.requestContext.connectionId);
  return ok;
});
