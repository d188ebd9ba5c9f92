// The version number an uploaded object's bytes are recorded under: its presigned upload's own version, or
// the dataset's next one (creating the dataset a direct upload names, if nobody did).
import { newDataset, newVersion } from '#domain/datasets';
import type { DatasetVersion } from '#domain/schemas';
import { getDataset, getStoredVersion, nextVersion, putDataset, putObjectVersion, raiseLatestVersion } from '#adapters/dataset-store';

/** The version number an object's bytes are recorded under (a new one unless it is its presigned upload's). */
export async function allocateVersion(owner: string, datasetId: string, key: string, fileName: string, size: number, presignedVersion: number | undefined, at: Date): Promise<number> {
  let source: DatasetVersion['source'] = 's3';
  if (presignedVersion !== undefined) {
    const existing = await getStoredVersion(owner, datasetId, presignedVersion);
    if (existing && !existing.objectETag) return presignedVersion; // the upload its version was made for
    if (!existing) {
      // A file dropped under a presigned-style key without a version record: record it as that version.
      await ensureDataset(owner, datasetId, at);
      if (await putObjectVersion(owner, datasetId, newVersion(presignedVersion, fileName, size, 's3', at), key)) {
        await raiseLatestVersion(owner, datasetId, presignedVersion);
        return presignedVersion;
      }
    } else {
      source = existing.source; // the key was overwritten: the new bytes are a new version
    }
  } else {
    await ensureDataset(owner, datasetId, at);
  }
  const version = await nextVersion(owner, datasetId);
  await putObjectVersion(owner, datasetId, newVersion(version, fileName, size, source, at), key);
  return version;
}

/** A direct upload may name a dataset nobody created: it is created then, named after its id. */
async function ensureDataset(owner: string, datasetId: string, at: Date): Promise<void> {
  if (await getDataset(owner, datasetId)) return;
  await putDataset(owner, newDataset(datasetId, datasetId, at));
}
