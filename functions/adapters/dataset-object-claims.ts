// Which version an uploaded S3 object became: one marker per object identity (key, ETag, sequencer), claimed
// with a conditional put, so a duplicate event maps the same object to the same version.
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalUpdate, ddb, keys, tableName, unlessConditionFails } from './table';

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
