// Importing a LoRA trained elsewhere: the adapter (source import, CHECKING) and a presigned POST that accepts
// exactly the declared size at its key under imports/. The check starts when the file lands (check-adapter-import.ts).
import { safeFileName } from '#domain/artifacts';
import { TooLarge } from '#domain/errors';
import { newId } from '#domain/ids';
import { IMPORT_MAX_BYTES, IMPORT_MAX_RULE, IMPORT_UPLOAD_SECONDS, importKey, newImport } from '#domain/lora-import';
import type { CreateAdapterImportRequest, CreateAdapterImportResponse } from '#domain/schemas';
import { presignUpload } from '#adapters/blob-store';
import { config } from '#adapters/config';
import { putImportedLora } from '#adapters/lora-registry-store';

export async function createAdapterImport(owner: string, request: CreateAdapterImportRequest, now: Date): Promise<CreateAdapterImportResponse> {
  if (request.sizeBytes > IMPORT_MAX_BYTES) {
    throw new TooLarge('IMPORT_TOO_LARGE', `${request.fileName} is ${request.sizeBytes} bytes. ${IMPORT_MAX_RULE}`,
      [{ field: 'sizeBytes', message: IMPORT_MAX_RULE }]);
  }
  const adapter = newImport(newId(now), request, now);
  // Stored under a name safe in a key and a URL path, as a job's files are (the name get-adapter-artifact takes).
  const fileName = safeFileName(request.fileName, 'lora.safetensors');
  await putImportedLora(owner, adapter, { fileName, sizeBytes: request.sizeBytes });
  const upload = await presignUpload(config.artifactsBucket, importKey(owner, adapter.id, fileName), request.sizeBytes, IMPORT_UPLOAD_SECONDS, 'application/octet-stream');
  return { adapterId: adapter.id, upload };
}
