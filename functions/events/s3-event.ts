// The doorway of an S3 event notification consumer: the objects its records name, keys decoded, who wrote each
// (userIdentity.principalId), and how long the invocation may still run.
import type { Context } from 'aws-lambda';
import { z } from 'zod';
import type { UploadedObject } from '#app/validate-dataset-version';
import { decodeEventKey } from '#domain/datasets';
import { invocation } from './invocation';

const S3Record = z.object({
  userIdentity: z.object({ principalId: z.string().optional() }).optional(),
  s3: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string(), size: z.number().optional(), eTag: z.string().optional(), sequencer: z.string().optional() }),
  }),
});

const S3Event = z.object({ Records: z.array(S3Record) });

/** Each record's object, its key as stored (the event's form encoding undone). */
export const s3EventConsumer = (fn: (objects: UploadedObject[], remainingMs: () => number | undefined) => Promise<void>) =>
  invocation({ event: S3Event }, (event, context: Context) => fn(
    event.Records.map(({ s3, userIdentity }) => ({
      bucket: s3.bucket.name, key: decodeEventKey(s3.object.key), size: s3.object.size, eTag: s3.object.eTag, sequencer: s3.object.sequencer,
      ...(userIdentity?.principalId ? { writer: userIdentity.principalId } : {}),
    })),
    () => context.getRemainingTimeInMillis?.(),
  ));
