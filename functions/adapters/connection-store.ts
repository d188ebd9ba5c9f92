// WebSocket connections per owner; each carries a TTL so a missed $disconnect cleans itself up.
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { allItems, ddb, keys, tableName } from './table';

export const CONNECTION_TTL_SECONDS = 2 * 60 * 60;

export async function putConnection(owner: string, connectionId: string, at: Date): Promise<void> {
  await ddb().send(new PutCommand({
    TableName: tableName(),
    Item: {
      PK: keys.owner(owner),
      SK: keys.connection(connectionId),
      type: 'Connection',
      owner,
      connectionId,
      connectedAt: at.toISOString(),
      expiresAt: Math.floor(at.getTime() / 1000) + CONNECTION_TTL_SECONDS,
    },
  }));
}

export async function deleteConnection(owner: string, connectionId: string): Promise<void> {
  await ddb().send(new DeleteCommand({ TableName: tableName(), Key: { PK: keys.owner(owner), SK: keys.connection(connectionId) } }));
}

/** The owner's live connections (expired ones are skipped even before TTL deletion catches up). */
export async function listConnections(owner: string, at: Date): Promise<string[]> {
  const items = await allItems('query', {
    TableName: tableName(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :conn)',
    FilterExpression: 'attribute_not_exists(expiresAt) OR expiresAt > :now',
    ExpressionAttributeValues: { ':pk': keys.owner(owner), ':conn': 'CONN#', ':now': Math.floor(at.getTime() / 1000) },
  });
  return items.map((item) => String(item.connectionId));
}
