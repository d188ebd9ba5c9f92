// The validation lease on a version: UPLOADING → VALIDATING for one object under a lease, the verdict
// VALIDATING → READY | INVALID for that object only, and the repair of leases whose validator died.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { VersionInternals } from '#domain/datasets';
import type { DatasetVersion } from '#domain/schemas';
import { versionKey } from './dataset-store';
import { allItems, conditionalUpdate, ddb, definedOnly, isConditionFailed, tableName, updateParts } from './table';

/**
 * UPLOADING → VALIDATING for this object, or a re-claim of a VALIDATING version whose lease ran out (a retry
 * after a crash or a released lease). Returns the attempt number, or null when another invocation holds it,
 * it is decided, or it belongs to another object.
 */
export async function claimValidation(owner: string, datasetId: string, version: number, object: { key: string; eTag: string }, at: Date, leaseMs: number): Promise<number | null> {
  const written = await conditionalUpdate({
    Key: versionKey(owner, datasetId, version),
    UpdateExpression: 'SET #status = :validating, leaseUntil = :lease, attempts = if_not_exists(attempts, :zero) + :one, objectETag = :etag, objectKey = :key, updatedAt = :at',
    ConditionExpression: 'attribute_exists(PK) AND (#status = :uploading OR (#status = :validating AND leaseUntil < :now)) AND (attribute_not_exists(objectETag) OR objectETag = :etag)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':validating': 'VALIDATING', ':uploading': 'UPLOADING', ':lease': at.getTime() + leaseMs, ':now': at.getTime(),
      ':zero': 0, ':one': 1, ':etag': object.eTag, ':key': object.key, ':at': at.toISOString(),
    },
    ReturnValues: 'ALL_NEW',
  });
  if (!written) return null;
  return Number(written.Attributes?.attempts ?? 1);
}

/** Lets a retry re-claim at once (after a transient failure), instead of waiting out the lease. */
export async function releaseValidation(owner: string, datasetId: string, version: number, eTag: string): Promise<void> {
  try {
    await ddb().send(new UpdateCommand({
      TableName: tableName(),
      Key: versionKey(owner, datasetId, version),
      UpdateExpression: 'SET leaseUntil = :zero',
      ConditionExpression: '#status = :validating AND objectETag = :etag',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':zero': 0, ':validating': 'VALIDATING', ':etag': eTag },
    }));
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
}

/** VALIDATING → READY | INVALID for this object only; false when it was decided already. */
export function decideValidation(owner: string, datasetId: string, version: number, eTag: string, status: 'READY' | 'INVALID', patch: Partial<DatasetVersion> & Pick<VersionInternals, 'validatedKey' | 'validatedETag'>, at: Date): Promise<boolean> {
  return endValidation(owner, datasetId, version, { ...definedOnly(patch), status, updatedAt: at.toISOString() }, 'objectETag = :etag', { ':etag': eTag });
}

/** VALIDATING → the patch's status, lease dropped, if `condition` holds too; false when it does not. */
async function endValidation(owner: string, datasetId: string, version: number, patch: Record<string, unknown>, condition: string, conditionValues: Record<string, unknown>): Promise<boolean> {
  const { names, values, expression } = updateParts(patch);
  const written = await conditionalUpdate({
    Key: versionKey(owner, datasetId, version),
    UpdateExpression: `${expression} REMOVE leaseUntil`,
    ConditionExpression: `#status = :validating AND ${condition}`,
    ExpressionAttributeNames: { '#status': 'status', ...names },
    ExpressionAttributeValues: { ':validating': 'VALIDATING', ...conditionValues, ...values },
  });
  return written !== null;
}

/** VALIDATING versions whose lease ran out before `before` (epoch ms): their validator died and no retry came. */
export async function listStuckValidations(before: number): Promise<{ owner: string; datasetId: string; version: number }[]> {
  const items = await allItems('scan', {
    TableName: tableName(),
    FilterExpression: '#type = :version AND #status = :validating AND leaseUntil < :before',
    ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
    ExpressionAttributeValues: { ':version': 'DatasetVersion', ':validating': 'VALIDATING', ':before': before },
    ConsistentRead: true,
  });
  return items.map((item) => ({ owner: String(item.owner), datasetId: String(item.datasetId), version: Number(item.version) }));
}

/** Ends a VALIDATING version whose lease ran out long ago (its validator crashed and no retry came) as INVALID. */
export function failStuckValidation(owner: string, datasetId: string, version: number, before: number, patch: Partial<DatasetVersion>, at: Date): Promise<boolean> {
  return endValidation(owner, datasetId, version, { ...definedOnly(patch), status: 'INVALID', updatedAt: at.toISOString() }, 'leaseUntil < :before', { ':before': before });
}
