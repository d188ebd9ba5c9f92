// Writing a new job, alone or together with its idempotency record (so a retry with the same key finds the
// job the first attempt created), and reading that record back.
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { JobRecord } from '#domain/job-lifecycle';
import { jobItem } from './job-store';
import { ddb, keys, tableName } from './table';

export async function createJob(job: JobRecord): Promise<void> {
  await ddb().send(new PutCommand({ TableName: tableName(), Item: jobItem(job), ConditionExpression: 'attribute_not_exists(PK)' }));
}

export interface IdempotencyClaim {
  key: string;
  bodyHash: string;
  ttlSeconds: number;
}

export type CreateOutcome = { created: true } | { created: false; jobId: string; bodyHash: string };

/**
 * Writes the job and its idempotency record in one transaction: either both exist or neither, so a retry
 * with the same key always finds the job it created.
 */
export async function createJobOnce(job: JobRecord, claim: IdempotencyClaim, at: Date): Promise<CreateOutcome> {
  const idempotencyKey = { PK: keys.owner(job.owner), SK: keys.idempotency(claim.key) };
  try {
    await ddb().send(new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName(),
            Item: {
              ...idempotencyKey, type: 'Idempotency', owner: job.owner, jobId: job.id, bodyHash: claim.bodyHash,
              expiresAt: Math.floor(at.getTime() / 1000) + claim.ttlSeconds,
            },
            // An expired record still present (TTL deletion lags) counts as absent.
            ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': Math.floor(at.getTime() / 1000) },
          },
        },
        { Put: { TableName: tableName(), Item: jobItem(job), ConditionExpression: 'attribute_not_exists(PK)' } },
      ],
    }));
    return { created: true };
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
    const existing = await ddb().send(new GetCommand({ TableName: tableName(), Key: idempotencyKey, ConsistentRead: true }));
    if (!existing.Item) throw error;
    return { created: false, jobId: String(existing.Item.jobId), bodyHash: String(existing.Item.bodyHash) };
  }
}

/** The idempotency record of `key` (the job it created and the hash of the request that did), null when none. */
export async function getIdempotencyRecord(owner: string, key: string): Promise<{ jobId: string; bodyHash: string; expiresAt: number } | null> {
  const { Item } = await ddb().send(new GetCommand({ TableName: tableName(), Key: { PK: keys.owner(owner), SK: keys.idempotency(key) }, ConsistentRead: true }));
  return Item ? { jobId: String(Item.jobId), bodyHash: String(Item.bodyHash), expiresAt: Number(Item.expiresAt) } : null;
}
