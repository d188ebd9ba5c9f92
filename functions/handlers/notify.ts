// notify: every change of a job or a dataset version goes to its owner's open WebSockets. A push is a
// convenience (DynamoDB is the truth), so a failed push is logged, never retried into a stuck stream.
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { publicVersion, toDatasetVersion } from '../adapters/dataset-store';
import { toJobRecord } from '../adapters/job-store';
import { logger } from '../adapters/logger';
import { notifyOwner } from '../adapters/notifier';
import { publicJob } from '../domain/job-lifecycle';
import type { ServerMessage } from '../domain/schemas';

function messageFor(item: Record<string, unknown>): ServerMessage | null {
  if (item.type === 'Job') return { type: 'job', job: publicJob(toJobRecord(item)) };
  if (item.type === 'DatasetVersion') {
    const version = toDatasetVersion(item);
    return { type: 'dataset', datasetId: version.datasetId, version: publicVersion(version) };
  }
  return null;
}

export const handler = async (event: DynamoDBStreamEvent): Promise<void> => {
  const now = new Date();
  for (const record of event.Records) {
    const image = record.dynamodb?.NewImage;
    if (!image) continue;
    const item = unmarshall(image as Record<string, AttributeValue>);
    const message = messageFor(item);
    if (!message || typeof item.owner !== 'string') continue;
    try {
      const counts = await notifyOwner(item.owner, message, now, logger);
      logger.debug('Pushed', { type: message.type, ...counts });
    } catch (error) {
      logger.warn('Push failed', { type: message.type, error: String(error) });
    }
  }
};
