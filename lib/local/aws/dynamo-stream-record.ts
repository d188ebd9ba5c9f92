// The stream records the proxy emits: NEW_AND_OLD_IMAGES, numbered in the order the proxy made them, as one
// stream shard numbers its records.
import type { DynamoDBRecord } from 'aws-lambda';
import type { Item } from './dynamo-wire';
import { LOCAL_ACCOUNT, LOCAL_REGION } from './lambda-runtime';

/** An item's image before and after one write; undefined where the item does not exist. */
export interface Change { before: Item | undefined; after: Item | undefined }

/** The identity DynamoDB puts on the REMOVE record of an item its TTL deleted. */
export const TTL_IDENTITY = { type: 'Service', principalId: 'dynamodb.amazonaws.com' };

/** Makes one proxy's records; undefined for a write that found no item and left none. */
export function streamRecords() {
  let sequence = 0;
  return function record(table: string, keys: string[], oldImage?: Item, newImage?: Item, userIdentity?: DynamoDBRecord['userIdentity']): DynamoDBRecord | undefined {
    if (!oldImage && !newImage) return undefined;
    const source = (newImage ?? oldImage)!;
    const Keys = Object.fromEntries(keys.map((k) => [k, source[k]]));
    sequence += 1;
    return {
      eventID: `${Date.now()}-${sequence}`,
      eventName: !oldImage ? 'INSERT' : !newImage ? 'REMOVE' : 'MODIFY',
      eventVersion: '1.1',
      eventSource: 'aws:dynamodb',
      awsRegion: LOCAL_REGION,
      eventSourceARN: `arn:aws:dynamodb:${LOCAL_REGION}:${LOCAL_ACCOUNT}:table/${table}/stream/local`,
      dynamodb: {
        ApproximateCreationDateTime: Math.floor(Date.now() / 1000),
        Keys: Keys as never,
        ...(newImage ? { NewImage: newImage as never } : {}),
        ...(oldImage ? { OldImage: oldImage as never } : {}),
        SequenceNumber: String(sequence).padStart(21, '0'),
        SizeBytes: JSON.stringify(source).length,
        StreamViewType: 'NEW_AND_OLD_IMAGES',
      },
      ...(userIdentity ? { userIdentity } : {}),
    };
  };
}
