// check-adapter-import: every file posted under imports/ of the artifacts bucket (POST /adapters/imports) is checked
// once: its import's adapter ends READY with the file, or INVALID saying why (app/check-adapter-import.ts).
import { checkImports } from '#app/check-adapter-import';
import { s3EventConsumer } from '#events/s3-event';

export const handler = s3EventConsumer((objects, remainingMs) => checkImports(objects, remainingMs()));
