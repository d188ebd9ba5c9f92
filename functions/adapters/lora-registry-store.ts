// The LoRA registry: registered LoRAs (the API calls them adapters), one item each under their owner.
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { adapterFiles } from '#domain/lora-registry';
import type { Adapter } from '#domain/schemas';
import { allItems, conditionalUpdate, ddb, keys, tableName, unlessConditionFails, updateParts, withoutKeys } from './table';

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
  const { owner: _owner, importFile: _file, checkClaimedAt: _claim, ...adapter } = withoutKeys<Adapter & StoredImport & { owner: string }>(item);
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

/** What an import's item keeps besides the adapter: the file it waits for, and the claim of the check running on it. */
interface StoredImport { importFile?: { fileName: string; sizeBytes: number }; checkClaimedAt?: string }

/** An import's adapter (CHECKING), with the file its presigned POST accepts. */
export async function putImportedLora(owner: string, adapter: Adapter, importFile: { fileName: string; sizeBytes: number }): Promise<void> {
  await ddb().send(new PutCommand({
    TableName: tableName(),
    Item: { PK: keys.owner(owner), SK: sortKey(adapter.id), type: 'Adapter', owner, ...adapter, importFile },
    ConditionExpression: 'attribute_not_exists(PK)',
  }));
}

/** The owner's adapter, with the file an import waits for; null when there is none. */
export async function getRegisteredLora(owner: string, id: string): Promise<{ adapter: Adapter; importFile?: StoredImport['importFile'] } | null> {
  const { Item } = await ddb().send(new GetCommand({ TableName: tableName(), Key: { PK: keys.owner(owner), SK: sortKey(id) }, ConsistentRead: true }));
  if (!Item) return null;
  const importFile = (Item as StoredImport).importFile;
  return { adapter: toAdapter(Item), ...(importFile ? { importFile } : {}) };
}

/**
 * Claims the check of an import still CHECKING: of duplicate S3 events, one checks. A claim older than
 * `staleBefore` (a check that died) can be taken over. False when the import is checked or being checked.
 */
export async function claimImportCheck(owner: string, id: string, now: Date, staleBefore: Date): Promise<boolean> {
  const written = await conditionalUpdate({
    Key: { PK: keys.owner(owner), SK: sortKey(id) },
    UpdateExpression: 'SET checkClaimedAt = :now',
    ConditionExpression: '#status = :checking AND (attribute_not_exists(checkClaimedAt) OR checkClaimedAt < :stale)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':now': now.toISOString(), ':checking': 'CHECKING', ':stale': staleBefore.toISOString() },
  });
  return written !== null;
}

/** The end of an import's check: READY with its file, or INVALID with why. Only from CHECKING. */
export async function finishImportCheck(owner: string, id: string, patch: Partial<Adapter> & { status: 'READY' | 'INVALID' }): Promise<boolean> {
  const { names, values, expression } = updateParts({ ...patch, checkClaimedAt: undefined });
  const written = await conditionalUpdate({
    Key: { PK: keys.owner(owner), SK: sortKey(id) },
    UpdateExpression: expression,
    ConditionExpression: '#st = :checking',
    ExpressionAttributeNames: { ...names, '#st': 'status' },
    ExpressionAttributeValues: { ...values, ':checking': 'CHECKING' },
  });
  return written !== null;
}

/** Frees the claim of a check that failed for a reason other than the file, so a retry checks it. */
export async function releaseImportCheck(owner: string, id: string): Promise<void> {
  await conditionalUpdate({
    Key: { PK: keys.owner(owner), SK: sortKey(id) },
    UpdateExpression: 'REMOVE checkClaimedAt',
    ConditionExpression: '#status = :checking',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':checking': 'CHECKING' },
  });
}
