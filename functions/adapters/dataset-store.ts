// Dataset and version records. A version number comes from an atomic counter on the Dataset item, so two
// uploads started at once never share a version. The validator's object claims and lease are beside this file.
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFound } from '#domain/errors';
import { publicDataset, publicVersion, VERSION_JOB_IDS_MAX, type VersionInternals } from '#domain/datasets';
import type { Dataset, DatasetVersion } from '#domain/schemas';
import { allItems, ddb, isConditionFailed, keys, tableName, unlessConditionFails, withoutKeys } from './table';

const datasetKey = (owner: string, datasetId: string) => ({ PK: keys.owner(owner), SK: keys.dataset(datasetId) });
export const versionKey = (owner: string, datasetId: string, version: number) => ({ PK: keys.owner(owner), SK: keys.datasetVersion(datasetId, version) });

const toDataset = (item: Record<string, unknown>) => withoutKeys<Dataset & { owner?: string }>(item);
/** A raw version item (read or stream image) as the API's DatasetVersion plus its dataset id. */
export const toDatasetVersion = (item: Record<string, unknown>): DatasetVersion & { datasetId: string; owner: string } =>
  withoutKeys<DatasetVersion & { datasetId: string; owner: string }>(item);

/** Stores a new dataset; false when one with its id exists already. */
export async function putDataset(owner: string, dataset: Dataset): Promise<boolean> {
  const written = await unlessConditionFails(ddb().send(new PutCommand({
    TableName: tableName(),
    Item: { ...datasetKey(owner, dataset.id), type: 'Dataset', owner, ...dataset },
    ConditionExpression: 'attribute_not_exists(PK)',
  })));
  return written !== null;
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

export async function recordAutoStart(owner: string, datasetId: string, version: number, autoStart: NonNullable<DatasetVersion['autoStart']>): Promise<void> {
  await ddb().send(new UpdateCommand({
    TableName: tableName(),
    Key: versionKey(owner, datasetId, version),
    UpdateExpression: 'SET autoStart = :a',
    ExpressionAttributeValues: { ':a': autoStart },
  }));
}

/**
 * Records that a job trains on this version (`jobIds`, oldest first): one conditional list_append, idempotent (an
 * id already listed is not added again) and bounded (VERSION_JOB_IDS_MAX). False when nothing was written.
 */
export async function recordVersionJob(owner: string, datasetId: string, version: number, jobId: string): Promise<boolean> {
  const written = await unlessConditionFails(ddb().send(new UpdateCommand({
    TableName: tableName(),
    Key: versionKey(owner, datasetId, version),
    UpdateExpression: 'SET jobIds = list_append(if_not_exists(jobIds, :none), :job)',
    ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(jobIds) OR (size(jobIds) < :max AND NOT contains(jobIds, :id)))',
    ExpressionAttributeValues: { ':none': [], ':job': [jobId], ':id': jobId, ':max': VERSION_JOB_IDS_MAX },
  })));
  return written !== null;
}
