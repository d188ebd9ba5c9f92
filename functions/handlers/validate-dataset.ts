// validate-dataset: every zip that lands under datasets/ (presigned uploads) or incoming/ (direct tooling
// uploads, with optional .train.json sidecars) becomes exactly one READY or INVALID version with its sha256,
// size and report, however often and in whatever order S3 delivers the events (dataset-ingestion.ts).
import type { Context, S3Event } from 'aws-lambda';
import { z } from 'zod';
import { ingestObject } from '../adapters/dataset-ingestion';
import { decodeEventKey } from '../domain/datasets';

const S3Record = z.object({
  s3: z.object({
    bucket: z.object({ name: z.string() }),
    object: z.object({ key: z.string(), size: z.number().optional(), eTag: z.string().optional(), sequencer: z.string().optional() }),
  }),
});

/** The lease outlives this invocation by a margin, so a crashed run's version is re-claimable by the retry. */
const leaseFor = (context?: Pick<Context, 'getRemainingTimeInMillis'>) => (context?.getRemainingTimeInMillis?.() ?? 300_000) + 5_000;

export const handler = async (event: S3Event, context?: Context): Promise<void> => {
  for (const raw of event.Records) {
    const { s3 } = S3Record.parse(raw);
    await ingestObject({ bucket: s3.bucket.name, key: decodeEventKey(s3.object.key), size: s3.object.size, eTag: s3.object.eTag, sequencer: s3.object.sequencer }, leaseFor(context));
  }
};
