// A new dataset version for a browser upload: the version record (UPLOADING) and a presigned POST that accepts
// exactly the declared size at the version's key. Validation starts when the object lands.
import { checkUploadSize, datasetObjectKey, newVersion } from '#domain/datasets';
import type { z } from 'zod';
import type { CreateUploadRequest, CreateUploadResponse } from '#domain/schemas';
import { presignUpload } from '#adapters/blob-store';
import { config } from '#adapters/config';
import { nextVersion, putVersion } from '#adapters/dataset-store';

export async function createUpload(owner: string, datasetId: string, request: z.output<typeof CreateUploadRequest>, now: Date): Promise<CreateUploadResponse> {
  checkUploadSize(request.sizeBytes, config.maxUploadBytes);
  const version = await nextVersion(owner, datasetId);
  await putVersion(owner, datasetId, newVersion(version, request.fileName, request.sizeBytes, request.source ?? 'web', now));
  const key = datasetObjectKey(owner, datasetId, version, request.fileName);
  const upload = await presignUpload(config.datasetsBucket, key, request.sizeBytes);
  return { version, upload };
}
