import { putConnection } from '../adapters/connection-store';
import { ok, WsEvent } from '../http/ws-event';

export const handler = async (raw: unknown) => {
  const event = WsEvent.parse(raw);
  const owner = event.requestContext.authorizer?.owner;
  if (!owner) return { statusCode: 401, body: 'Unauthorized' };
  await putConnection(owner, event.requestContext.connectionId, new Date());
  return ok;
};
