import { createUpload } from '#app/create-upload';
import { CreateUploadRequest } from '#domain/schemas';
import { DatasetPath } from '#http/paths';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute({ path: DatasetPath, body: CreateUploadRequest }, async ({ owner, path, body, now }) =>
  ({ status: 201, body: await createUpload(owner, path.datasetId, body, now) }));
