// API tokens in the single table: one item per token under its own key (`TOKEN#{id}` / `TOKEN`), so the
// authorizer reads it with one GetItem knowing only the id, and listed by owner through GSI1
// (`OWNER#{owner}` / `TOKEN#{id}`). `expiresAt` is the table's TTL attribute (epoch seconds): DynamoDB deletes an
// expired token's item within days; until then the expiry check refuses it.
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoredToken } from '#domain/api-tokens';
import { allItems, conditionalUpdate, ddb, keys, tableName, unlessConditionFails } from './table';

const tokenKey = (id: string) => ({ PK: `TOKEN#${id}`, SK: 'TOKEN' });
const ownerIndexKey = (owner: string, id: string) => ({ GSI1PK: keys.owner(owner), GSI1SK: `TOKEN#${id}` });
const epochSeconds = (iso: string) => Math.floor(Date.parse(iso) / 1000);

function fromItem(item: Record<string, unknown>): StoredToken {
  return {
    id: String(item.id),
    owner: String(item.owner),
    name: String(item.name),
    secretHash: String(item.secretHash),
    createdAt: String(item.createdAt),
    expiresAt: new Date(Number(item.expiresAt) * 1000).toISOString(),
    ...(typeof item.lastUsedAt === 'string' ? { lastUsedAt: item.lastUsedAt } : {}),
  };
}

/** Stores a new token (its expiry in whole seconds, as the TTL attribute keeps it). */
export async function putToken(token: StoredToken): Promise<void> {
  const { lastUsedAt: _never, expiresAt, ...fields } = token;
  await ddb().send(new PutCommand({
    TableName: tableName(),
    Item: { ...tokenKey(token.id), ...ownerIndexKey(token.owner, token.id), type: 'ApiToken', ...fields, expiresAt: epochSeconds(expiresAt) },
    ConditionExpression: 'attribute_not_exists(PK)',
  }));
}

/** The token of that id, read consistently (a revoked token is gone at once), or undefined. */
export async function getToken(id: string): Promise<StoredToken | undefined> {
  const { Item } = await ddb().send(new GetCommand({ TableName: tableName(), Key: tokenKey(id), ConsistentRead: true }));
  return Item ? fromItem(Item) : undefined;
}

/** The owner's tokens, newest first (ids are ULIDs). */
export async function listTokens(owner: string): Promise<StoredToken[]> {
  const items = await allItems('query', {
    TableName: tableName(),
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.owner(owner), ':prefix': 'TOKEN#' },
    ScanIndexForward: false,
  });
  return items.map(fromItem);
}

/** Deletes the owner's token; false when there is no such token of this owner. */
export async function deleteToken(owner: string, id: string): Promise<boolean> {
  const deleted = await unlessConditionFails(ddb().send(new DeleteCommand({
    TableName: tableName(),
    Key: tokenKey(id),
    ConditionExpression: 'attribute_exists(PK) AND #owner = :owner',
    ExpressionAttributeNames: { '#owner': 'owner' },
    ExpressionAttributeValues: { ':owner': owner },
  })));
  return deleted !== null;
}

/** Records a use at `at` unless one was recorded after `threshold` (or the token is gone): true when written. */
export async function recordTokenUse(id: string, at: string, threshold: string): Promise<boolean> {
  const written = await conditionalUpdate({
    Key: tokenKey(id),
    UpdateExpression: 'SET lastUsedAt = :at',
    ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(lastUsedAt) OR lastUsedAt < :threshold)',
    ExpressionAttributeValues: { ':at': at, ':threshold': threshold },
  });
  return written !== null;
}
