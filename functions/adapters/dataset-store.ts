// Datasets and their versions. A version number comes from an atomic counter on the Dataset item, so two
// uploads started at once never share a version.
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFound } from '../domain/errors';
import type { Dataset, DatasetVersion, DatasetVersionStatus } from '../domain/schemas';
import { allItems, conditionalUpdate, ddb, definedOnly, isConditionFailed, keys, tableName, unlessConditionFails, updateParts, withoutKeys } from './table';

const datasetKey = (owner: string, datasetId: string) => ({ PK: keys.owner(owner), SK: keys.dataset(datasetId) });
const versionKey = (owner: string, datasetId: string, version: number) => ({ PK: keys.owner(owner), SK: keys.datasetVersion(datasetId, version) });

const toDataset = (item: Record<string, unknown>) => withoutKeys<Dataset & { owner?: string }>(item);
/** A raw version item (read or stream image) as the API's DatasetVersion plus its dataset id. */
export const toDatasetVersion = (item: Record<string, unknown>): DatasetVersion & { datasetId: string; owner: string } =>
  withoutKeys<DatasetVersion & { datasetId: string; owner: string }>(item);

export function publicDataset(dataset: Dataset & { owner?: string }): Dataset {
  const { owner: _owner, ...rest } = dataset;
  return rest;
}

/** Fields of a version item that only the validator reads (object identity, lease, attempts). */
export interface VersionInternals {
  objectKey?: string;
  objectETag?: string;
  leaseUntil?: number;
  attempts?: number;
}

export function publicVersion(version: DatasetVersion & { datasetId?: string; owner?: string } & VersionInternals): DatasetVersion {
  const { owner: _owner, datasetId: _datasetId, objectKey: _k, objectETag: _e, leaseUntil: _l, attempts: _a, ...rest } = version;
  return rest;
}

export async function putDataset(owner: string, dataset: Dataset): Promise<void> {
  await ddb().send(new PutCommand({
    TableName: tableName(),
    Item: { ...datasetKey(owner, dataset.id), type: 'Dataset', owner, ...dataset },
    ConditionExpression: 'attribute_not_exists(PK)',
  }));
}

export async function getDataset(owner: string, datasetId: string): Promise<Dataset | null> {
  const { Item } = await ddb().send(new GetCommand({ TableName: tableName(), Key: datasetKey(owner, datasetId), ConsistentRead: true }));
  return Item ? publicDataset(toDataset(Item)) : null;
}

export async function listDatasets(owner: string): Promise<Dataset[]> {
  const items = await queryAll(owner, keys.dataset(''));
  return items.map((item) => publicDataset(toDataset(item))).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

export async function listVersions(owner: string, datasetId: string): Promise<DatasetVersion[]> {
  const items = await queryAll(owner, keys.datasetVersions(datasetId));
  return items.map((item) => publicVersion(toDatasetVersion(item))).sort((a, b) => b.version - a.version);
}

export async function getVersion(owner: string, datasetId: string, version: number): Promise<DatasetVersion | null> {
  const { Item } = await ddb().send(new GetCommand({ TableName: tableName(), Key: versionKey(owner, datasetId, version), ConsistentRead: true }));
  return Item ? publicVersion(toDatasetVersion(Item)) : null;
}

/** The next version number of a dataset (ADD is atomic); NotFound when the dataset does not exist. */
export async function nextVersion(owner: string, datasetId: string): Promise<number> {
  try {
    const { Attributes } = await ddb().send(new UpdateCommand({
      TableName: tableName(),
      Key: datasetKey(owner, datasetId),
      UpdateExpression: 'ADD latestVersion :one',
      ConditionExpression: 'attribute_exists(PK)',
      ExpressionAttributeValues: { ':one': 1 },
      ReturnValues: 'UPDATED_NEW',
    }));
    return Number(Attributes?.latestVersion);
  } catch (error) {
    if (isConditionFailed(error)) throw new NotFound('DATASET_NOT_FOUND', `Dataset ${datasetId} does not exist.`);
    throw error;
  }
}

/** Makes sure the counter is at least `version`, for versions that arrive straight in the bucket. */
export async function raiseLatestVersion(owner: string, datasetId: string, version: number): Promise<void> {
  try {
    await ddb().send(new UpdateCommand({
      TableName: tableName(),
      Key: datasetKey(owner, datasetId),
      UpdateExpression: 'SET latestVersion = :v',
      ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(latestVersion) OR latestVersion < :v)',
      ExpressionAttributeValues: { ':v': version },
    }));
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
  }
}

/** Stores a new version; false when that version already exists. */
export async function putVersion(owner: string, datasetId: string, version: DatasetVersion): Promise<boolean> {
  const written = await unlessConditionFails(ddb().send(new PutCommand({
    TableName: tableName(),
    Item: { ...versionKey(owner, datasetId, version.version), type: 'DatasetVersion', owner, datasetId, ...version },
    ConditionExpression: 'attribute_not_exists(PK)',
  })));
  return written !== null;
}

/**
 * Moves a version to `to` only from one of `from` (UPLOADING → VALIDATING → READY | INVALID), so a duplicate
 * S3 event cannot redo or undo a validation. Returns false when the version was not in one of `from`.
 */
export async function setVersionStatus(
  owner: string,
  datasetId: string,
  version: number,
  from: DatasetVersionStatus[],
  to: DatasetVersionStatus,
  patch: Partial<DatasetVersion>,
  at: Date,
): Promise<boolean> {
  const { names, values, expression } = updateParts({ ...definedOnly(patch), status: to, updatedAt: at.toISOString() });
  const fromValues = Object.fromEntries(from.map((status, i) => [`:from${i}`, status]));
  const written = await conditionalUpdate({
    Key: versionKey(owner, datasetId, version),
    UpdateExpression: expression,
    ConditionExpression: `attribute_exists(PK) AND #status IN (${Object.keys(fromValues).join(', ')})`,
    ExpressionAttributeNames: { '#status': 'status', ...names },
    ExpressionAttributeValues: { ...fromValues, ...values },
  });
  return written !== null;
}

function queryAll(owner: string, prefix: string): Promise<Record<string, unknown>[]> {
  return allItems('query', {
    TableName: tableName(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.owner(owner), ':prefix': prefix },
  });
}

export type StoredVersion = DatasetVersion & VersionInternals;

export async function getStoredVersion(owner: string, datasetId: string, version: number): Promise<StoredVersion | null> {
  const { Item } = await ddb().send(new GetCommand({ TableName: tableName(), Key: versionKey(owner, datasetId, version), ConsistentRead: true }));
  if (!Item) return null;
  const { owner: _o, datasetId: _d, ...rest } = toDatasetVersion(Item) as StoredVersion & { owner: string; datasetId: string };
  return rest;
}

/** Stores a new version already tied to its S3 object; false when that version number exists. */
export async function putObjectVersion(owner: string, datasetId: string, version: DatasetVersion, objectKey: string): Promise<boolean> {
  const written = await unlessConditionFails(ddb().send(new PutCommand({
    TableName: tableName(),
    Item: { ...versionKey(owner, datasetId, version.version), type: 'DatasetVersion', owner, datasetId, ...version, objectKey },
    ConditionExpression: 'attribute_not_exists(PK)',
  })));
  return written !== null;
}

// ---------- S3 object markers: which version an uploaded object became ----------

const objectMarkerKey = (owner: string, datasetId: string, objectId: string) => ({ PK: keys.owner(owner), SK: keys.datasetObject(datasetId, objectId) });

export interface ObjectMarker { version?: number; claimedAt: number }

/** Claims an object for this invocation; null when it was claimed before (then read the marker). */
export async function claimObject(owner: string, datasetId: string, objectId: string, at: Date): Promise<boolean> {
  const written = await unlessConditionFails(ddb().send(new PutCommand({
    TableName: tableName(),
    Item: { ...objectMarkerKey(owner, datasetId, objectId), type: 'DatasetObject', owner, datasetId, claimedAt: at.getTime() },
    ConditionExpression: 'attribute_not_exists(PK)',
  })));
  return written !== null;
}

export async function getObjectMarker(owner: string, datasetId: string, objectId: string): Promise<ObjectMarker | null> {
  const { Item } = await ddb().send(new GetCommand({ TableName: tableName(), Key: objectMarkerKey(owner, datasetId, objectId), ConsistentRead: true }));
  return Item ? { claimedAt: Number(Item.claimedAt), ...(Item.version === undefined ? {} : { version: Number(Item.version) }) } : null;
}

/** The newest marker of an object key with this ETag (whatever its sequencer): a sidecar finds its zip's version so. */
export async function findObjectMarker(owner: string, datasetId: string, objectIdPrefix: string): Promise<ObjectMarker | null> {
  const { Items = [] } = await ddb().send(new QueryCommand({
    TableName: tableName(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.owner(owner), ':prefix': keys.datasetObject(datasetId, objectIdPrefix) },
    ConsistentRead: true,
  }));
  const item = Items.filter((i) => i.version !== undefined).sort((a, b) => String(b.SK).localeCompare(String(a.SK)))[0];
  return item ? { claimedAt: Number(item.claimedAt), version: Number(item.version) } : null;
}

/** Takes over a claim whose holder never recorded a version (it crashed): true when this invocation won it. */
export async function takeOverObject(owner: string, datasetId: string, objectId: string, staleClaimedAt: number, at: Date): Promise<boolean> {
  const written = await conditionalUpdate({
    Key: objectMarkerKey(owner, datasetId, objectId),
    UpdateExpression: 'SET claimedAt = :now',
    ConditionExpression: 'claimedAt = :old AND attribute_not_exists(version)',
    ExpressionAttributeValues: { ':now': at.getTime(), ':old': staleClaimedAt },
  });
  return written !== null;
}

export async function setObjectVersion(owner: string, datasetId: string, objectId: string, version: number): Promise<void> {
  await ddb().send(new UpdateCommand({
    TableName: tableName(),
    Key: objectMarkerKey(owner, datasetId, objectId),
    UpdateExpression: 'SET version = :v',
    ExpressionAttributeValues: { ':v': version },
  }));
}

// ---------- the validation lease ----------

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
export function decideValidation(owner: string, datasetId: string, version: number, eTag: string, status: 'READY' | 'INVALID', patch: Partial<DatasetVersion>, at: Date): Promise<boolean> {
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

export async function recordAutoStart(owner: string, datasetId: string, version: number, autoStart: NonNullable<DatasetVersion['autoStart']>): Promise<void> {
  await ddb().send(new UpdateCommand({
    TableName: tableName(),
    Key: versionKey(owner, datasetId, version),
    UpdateExpression: 'SET autoStart = :a',
    ExpressionAttributeValues: { ':a': autoStart },
  }));
}
