import { presignUpload } from '../adapters/blob-store';
import { config } from '../adapters/config';
import { nextVersion, putVersion } from '../adapters/dataset-store';
import { checkUploadSize, datasetObjectKey, newVersion } from '../domain/datasets';
import { CreateUploadRequest, type CreateUploadResponse } from '../domain/schemas';
import { DatasetPath } from '../http/paths';
import { httpRoute } from '../http/http-route';

export const handler = httpRoute({ path: DatasetPath, body: CreateUploadRequest }, async ({ owner, path, body, now }) => {
  checkUploadSize(body.sizeBytes, config.maxUploadBytes);
  const version = await nextVersion(owner, path.datasetId);
  await putVersion(owner, path.datasetId, newVersion(version, body.fileName, body.sizeBytes, body.source ?? 'web', now));
  const key = datasetObjectKey(owner, path.datasetId, version, body.fileName);
  const upload = await presignUpload(config.datasetsBucket, key, body.sizeBytes);
  const response: CreateUploadResponse = { version, upload };
  return { status: 201, body: response };
});
