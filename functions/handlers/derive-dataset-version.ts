// derive-dataset-version: an edit request (edits/…) or its additions zip (additions/…) landed; the version it
// names is built from its source by streaming (app/derive-dataset-version.ts), then validated like any upload.
import { deriveDatasetVersion } from '#app/derive-dataset-version';
import { parseEditObjectKey } from '#domain/dataset-edits';
import { s3EventConsumer } from '#events/s3-event';

export const handler = s3EventConsumer(async (objects) => {
  for (const object of objects) {
    const target = parseEditObjectKey(object.key);
    if (target) await deriveDatasetVersion(target.owner, target.datasetId, target.version);
  }
});
