// Datasets and their versions. A version number comes from an atomic counter on the Dataset item, so two
// uploads started at once never share a version.
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { NotFound } from '../domain/errors';
import type { Dataset, DatasetVersion, DatasetVersionStatus } from '../domain/schemas';
import { ddb, isConditionFailed, keys, tableName, withoutKeys } from './table';

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

export function publicVersion(version: DatasetVersion & { datasetId?: string; owner?: string }): DatasetVersion {
  const { owner: _owner, datasetId: _datasetId, ...rest } = version;
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
  try {
    await ddb().send(new PutCommand({
      TableName: tableName(),
      Item: { ...versionKey(owner, datasetId, version.version), type: 'DatasetVersion', owner, datasetId, ...version },
      ConditionExpression: 'attribute_not_exists(PK)',
    }));
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
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
  const fields = { ...patch, status: to, updatedAt: at.toISOString() };
  const entries = Object.entries(fields).filter(([, value]) => value !== undefined);
  const fromValues = Object.fromEntries(from.map((status, i) => [`:from${i}`, status]));
  try {
    await ddb().send(new UpdateCommand({
      TableName: tableName(),
      Key: versionKey(owner, datasetId, version),
      UpdateExpression: `SET ${entries.map((_, i) => `#f${i} = :v${i}`).join(', ')}`,
      ConditionExpression: `attribute_exists(PK) AND #status IN (${Object.keys(fromValues).join(', ')})`,
      ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(entries.map(([field], i) => [`#f${i}`, field])) },
      ExpressionAttributeValues: { ...fromValues, ...Object.fromEntries(entries.map(([, value], i) => [`:v${i}`, value])) },
    }));
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw error;
  }
}

async function queryAll(owner: string, prefix: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await ddb().send(new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': keys.owner(owner), ':prefix': prefix },
      ExclusiveStartKey: startKey,
    }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}
