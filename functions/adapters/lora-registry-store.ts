// The LoRA registry: registered LoRAs (the API calls them adapters), one item each under their owner.
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Adapter } from '#domain/schemas';
import { allItems, ddb, keys, tableName, unlessConditionFails, withoutKeys } from './table';

const sortKey = (id: string) => `ADAPTER#${id}`;

export async function putRegisteredLora(owner: string, adapter: Adapter): Promise<void> {
  await ddb().send(new PutCommand({
    TableName: tableName(),
    Item: { PK: keys.owner(owner), SK: sortKey(adapter.id), type: 'Adapter', owner, ...adapter },
    ConditionExpression: 'attribute_not_exists(PK)',
  }));
}

/** Newest first (ids are ULIDs). */
export async function listRegisteredLoras(owner: string): Promise<Adapter[]> {
  const items = await allItems('query', {
    TableName: tableName(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.owner(owner), ':prefix': 'ADAPTER#' },
    ScanIndexForward: false,
  });
  return items.map((item) => {
    const { owner: _owner, ...adapter } = withoutKeys<Adapter & { owner: string }>(item);
    return adapter;
  });
}

/** False when the owner has no such registered LoRA. */
export async function deleteRegisteredLora(owner: string, id: string): Promise<boolean> {
  const written = await unlessConditionFails(ddb().send(new DeleteCommand({
    TableName: tableName(),
    Key: { PK: keys.owner(owner), SK: sortKey(id) },
    ConditionExpression: 'attribute_exists(PK)',
  })));
  return written !== null;
}
