// validate-dataset: every zip that lands under datasets/ (presigned uploads) or incoming/ (direct tooling
// uploads, with optional .train.json sidecars) becomes exactly one READY or INVALID version with its sha256,
// size and report, however often and in whatever order S3 delivers the events (app/ingest-dataset-object.ts).
import { ingestObjects } from '#app/ingest-dataset-object';
import { s3EventConsumer } from '#events/s3-event';

export const handler = s3EventConsumer((objects, remainingMs) => ingestObjects(objects, remainingMs()));
