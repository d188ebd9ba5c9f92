// Pushes messages to a user's open WebSocket connections. A connection API Gateway reports gone is deleted:
// that one only, never the others.
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { ServerMessage } from '#domain/schemas';
import { config, sdkHttp } from './config';
import { deleteConnection, listConnections } from './connection-store';

let client: ApiGatewayManagementApiClient | undefined;

/** Created on first use with endpoint WS_MANAGEMENT_URL (the @connections API; the local cloud serves one). */
export const wsManagement = (): ApiGatewayManagementApiClient =>
  (client ??= new ApiGatewayManagementApiClient({ endpoint: config.wsManagementUrl, ...sdkHttp }));

export type PostResult = 'sent' | 'gone';

export async function postToConnection(connectionId: string, message: ServerMessage): Promise<PostResult> {
  try {
    await wsManagement().send(new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from(JSON.stringify(message)) }));
    return 'sent';
  } catch (error) {
    if (error instanceof Error && (error.name === 'GoneException' || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 410)) return 'gone';
    throw error;
  }
}

/** Sends to every connection of `owner`; one failing connection does not stop the others. */
export async function notifyOwner(owner: string, message: ServerMessage, at: Date, logger?: Logger): Promise<{ sent: number; gone: number; failed: number }> {
  const connections = await listConnections(owner, at);
  const results = await Promise.allSettled(connections.map(async (connectionId) => {
    const result = await postToConnection(connectionId, message);
    if (result === 'gone') await deleteConnection(owner, connectionId);
    return result;
  }));
  const counts = { sent: 0, gone: 0, failed: 0 };
  results.forEach((result, i) => {
    if (result.status === 'fulfilled') counts[result.value] += 1;
    else {
      counts.failed += 1;
      logger?.warn('Push to a connection failed', { connectionId: connections[i], error: String(result.reason) });
    }
  });
  return counts;
}
