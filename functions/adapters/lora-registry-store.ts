// The LoRA registry: registered LoRAs (the API calls them adapters), one item each under their owner.
import { DeleteCommand, GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { adapterFiles } from '#domain/lora-registry';
import type { Adapter } from '#domain/schemas';
import { allItems, ddb, keys, tableName, unlessConditionFails, withoutKeys } from './table';

const sortKey = (id: string) => `ADAPTER#${id}`;
/** One per registered job: which registration holds it, so a job is registered at most once. */
const jobClaimKey = (jobId: string) => `ADAPTERJOB#${jobId}`;

export interface ExistingRegistration { id: string; name: string }

/**
 * Writes the registration and its job's claim in one transaction conditional on the claim being absent: of two
 * registrations of one job, however close together, one wins. The other gets the registration that holds the job.
 */
export async function putRegisteredLora(owner: string, adapter: Adapter & { jobId: string }): Promise<{ registered: true } | { registered: false; existing: ExistingRegistration }> {
  const claimKey = { PK: keys.owner(owner), SK: jobClaimKey(adapter.jobId) };
  try {
    await ddb().send(new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName(),
            Item: { ...claimKey, type: 'AdapterJob', owner, jobId: adapter.jobId, adapterId: adapter.id, name: adapter.name },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
        {
          Put: {
            TableName: tableName(),
            Item: { PK: keys.owner(owner), SK: sortKey(adapter.id), type: 'Adapter', owner, ...adapter },
            ConditionExpression: 'attribute_not_exists(PK)',
          },
        },
      ],
    }));
    return { registered: true };
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
    const { Item } = await ddb().send(new GetCommand({ TableName: tableName(), Key: claimKey, ConsistentRead: true }));
    if (!Item) throw error;
    return { registered: false, existing: { id: String(Item.adapterId), name: String(Item.name) } };
  }
}

/** Newest first (ids are ULIDs). */
export async function listRegisteredLoras(owner: string): Promise<Adapter[]> {
  const items = await allItems('query', {
    TableName: tableName(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.owner(owner), ':prefix': 'ADAPTER#' },
    ScanIndexForward: false,
  });
  return items.map(toAdapter);
}

/** A stored registration as the API shows it. */
export function toAdapter(item: Record<string, unknown>): Adapter {
  const { owner: _owner, ...adapter } = withoutKeys<Adapter & { owner: string }>(item);
  // Registrations from before adapters had a source were all made by hand from a job.
  return { ...adapter, source: adapter.source ?? 'job', artifacts: adapterFiles(adapter) };
}

/** False when the owner has no such registered LoRA. Frees its job to be registered again. */
export async function deleteRegisteredLora(owner: string, id: string): Promise<boolean> {
  const written = await unlessConditionFails(ddb().send(new DeleteCommand({
    TableName: tableName(),
    Key: { PK: keys.owner(owner), SK: sortKey(id) },
    ConditionExpression: 'attribute_exists(PK)',
    ReturnValues: 'ALL_OLD',
  })));
  if (written === null) return false;
  const jobId = written.Attributes?.jobId;
  if (typeof jobId === 'string') {
    // Only this registration's claim: never one a later registration of the job holds.
    await unlessConditionFails(ddb().send(new DeleteCommand({
      TableName: tableName(),
      Key: { PK: keys.owner(owner), SK: jobClaimKey(jobId) },
      ConditionExpression: 'adapterId = :id',
      ExpressionAttributeValues: { ':id': id },
    })));
  }
  return true;
}
