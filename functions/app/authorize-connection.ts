// Who opens a WebSocket: the owner a valid JWT names, or null.
import { verifyToken } from '#adapters/auth';
import { logger } from '#adapters/logger';

export async function connectionOwner(token: string | undefined): Promise<string | null> {
  const owner = await verifyToken(token);
  if (!owner) logger.info('WebSocket connect refused: missing or invalid token');
  return owner;
}
