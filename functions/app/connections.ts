// A browser's WebSocket connection is recorded under its owner while open (with a TTL, so a lost $disconnect
// does not leave it forever), and answered when it pings.
import { ClientMessage } from '#domain/schemas';
import { deleteConnection, putConnection } from '#adapters/connection-store';
import { logger } from '#adapters/logger';
import { postToConnection } from '#adapters/notifier';

export const openConnection = (owner: string, connectionId: string, now: Date): Promise<void> => putConnection(owner, connectionId, now);

/** Without an owner there is no key to delete; the connection's TTL removes it. */
export async function closeConnection(owner: string | undefined, connectionId: string): Promise<void> {
  if (owner) await deleteConnection(owner, connectionId);
}

/** Answers a client's message: false when it is not one the API knows. */
export async function answerClient(connectionId: string, body: string | null | undefined): Promise<boolean> {
  let message: unknown;
  try {
    message = JSON.parse(body ?? '');
  } catch {
    message = undefined;
  }
  if (!ClientMessage.safeParse(message).success) {
    logger.info('Ignored an unknown WebSocket message');
    return false;
  }
  await postToConnection(connectionId, { type: 'pong' });
  return true;
}
