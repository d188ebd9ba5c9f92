// The doorway of a DynamoDB Streams consumer: each record's new and old images, unmarshalled into items.
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { z } from 'zod';
import type { ItemChange } from '#app/push-changes';
import { invocation } from './invocation';

const Image = z.record(z.string(), z.unknown()).optional()
  .transform((image) => (image ? unmarshall(image as Record<string, AttributeValue>) : undefined));

const StreamEvent = z.object({
  Records: z.array(z.object({ dynamodb: z.object({ NewImage: Image, OldImage: Image }).optional() })),
});

/** Each record as the item after the write (none for a delete) and before it (none for an insert). */
export const streamConsumer = (fn: (changes: ItemChange[]) => Promise<void>) =>
  invocation({ event: StreamEvent, logKeys: (event) => ({ records: event.Records.length }) }, (event) => fn(
    event.Records.map(({ dynamodb }) => ({
      ...(dynamodb?.NewImage ? { newItem: dynamodb.NewImage } : {}),
      ...(dynamodb?.OldImage ? { oldItem: dynamodb.OldImage } : {}),
    })),
  ));
