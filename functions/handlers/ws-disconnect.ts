import { deleteConnection } from '../adapters/connection-store';
import { ok, WsEvent } from '../http/ws-event';

export const handler = async (raw: unknown) => {
  const event = WsEvent.parse(raw);
  const owner = event.requestContext.authorizer?.owner;
  // Without an owner there is no key to delete; the connection's TTL removes it.
  if (owner) await deleteConnection(owner, event.requestContext.connectionId);
  return ok;
};
