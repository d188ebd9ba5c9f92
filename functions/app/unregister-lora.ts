// Removing a LoRA from the owner's registry; a job's file stays with the job it came from, an imported file goes with it.
import { NotFound } from '#domain/errors';
import { importKey } from '#domain/lora-import';
import { deleteObject } from '#adapters/blob-store';
import { config } from '#adapters/config';
import { logger } from '#adapters/logger';
import { deleteRegisteredLora, getRegisteredLora } from '#adapters/lora-registry-store';

export async function unregisterLora(owner: string, id: string): Promise<void> {
  const found = await getRegisteredLora(owner, id);
  if (!found || !(await deleteRegisteredLora(owner, id))) throw new NotFound('ADAPTER_NOT_FOUND', `Adapter ${id} does not exist.`);
  if (found.adapter.source !== 'import' || !found.importFile) return;
  // The record is gone, so nothing links the file any more; a failed delete leaves an orphan, never a broken adapter.
  await deleteObject(config.artifactsBucket, importKey(owner, id, found.importFile.fileName))
    .catch((error: unknown) => logger.warn('Could not delete an imported file', { adapterId: id, error: String(error) }));
}
