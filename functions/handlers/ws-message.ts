import { logger } from '../adapters/logger';
import { postToConnection } from '../adapters/notifier';
import { ClientMessage } from '../domain/schemas';
import { ok, WsEvent } from '../http/ws-event';

export const handler = async (raw: unknown) => {
  const event = WsEvent.parse(raw);
  let message: unknown;
  try {
    message = JSON.parse(event.body ?? '');
  } catch {
    message = undefined;
  }
  if (!ClientMessage.safeParse(message).success) {
    logger.info('Ignored an unknown WebSocket message');
    return { statusCode: 400, body: 'Send {"action":"ping"}.' };
  }
  await postToConnection(event.requestContext.connectionId, { type: 'pong' });
  return ok;
};
