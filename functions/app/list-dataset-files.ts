// A decided version's files (the manifest its validation wrote) and a presigned GET of its zip, which a browser
// reads by byte ranges (thumbnails: each file's `zip` location says where its bytes are).
import type { z } from 'zod';
import { Conflict, Invalid, NotFound } from '#domain/errors';
import { decodeFilesCursor, encodeFilesCursor, filesPage } from '#domain/file-pages';
import type { DatasetFileList, DatasetVersion, ListDatasetFilesQuery } from '#domain/schemas';
import { presignDownload } from '#adapters/blob-store';
import { config } from '#adapters/config';
import { getManifest } from '#adapters/dataset-manifests';
import { objectETag } from '#adapters/dataset-objects';
import { getDataset, getStoredVersion, type StoredVersion } from '#adapters/dataset-store';

const LINK_SECONDS = 60 * 60;
const bare = (eTag: string | undefined) => (eTag ?? '').replace(/"/g, '');

/** The version of this owner, decided (READY or INVALID); 404 or 409 with what to do otherwise. */
export async function decidedVersion(owner: string, datasetId: string, version: number): Promise<StoredVersion> {
  const stored = await getStoredVersion(owner, datasetId, version);
  if (!stored) {
    if (!(await getDataset(owner, datasetId))) throw new NotFound('DATASET_NOT_FOUND', `Dataset ${datasetId} does not exist.`);
    throw new NotFound('VERSION_NOT_FOUND', `Dataset ${datasetId} has no version ${version}.`);
  }
  if (stored.status === 'UPLOADING' || stored.status === 'VALIDATING') {
    const now = stored.status === 'UPLOADING' ? 'is still uploading' : 'is being validated';
    throw new Conflict('VERSION_NOT_DECIDED', `Version ${version} ${now}; its files are listed once it is READY or INVALID. Wait for it: the dataset view updates by itself.`);
  }
  return stored;
}

/** The version's files; 409 for a version validated before manifests were kept. */
export async function versionFiles(owner: string, datasetId: string, version: number) {
  const files = await getManifest(owner, datasetId, version);
  if (!files) {
    throw new Conflict('NO_FILE_LIST', `Version ${version} was validated before Loraworks kept a list of each version's files. Upload the zip again, or derive a new version from it, to see and edit its files.`);
  }
  return files;
}

/** The key of the bytes that were validated: the validated/ copy (READY), or the upload while it still holds them. */
async function validatedBytes(version: StoredVersion): Promise<string | undefined> {
  if (version.validatedKey) return version.validatedKey;
  if (!version.objectKey || !version.objectETag) return undefined;
  return bare(await objectETag(config.datasetsBucket, version.objectKey)) === bare(version.objectETag) ? version.objectKey : undefined;
}

/** A page of the version's files (the first, or the one `cursor` names) and the link to its zip. */
export async function listDatasetFiles(owner: string, datasetId: string, version: number, query: z.output<typeof ListDatasetFilesQuery>, now: Date): Promise<DatasetFileList> {
  const stored: StoredVersion & DatasetVersion = await decidedVersion(owner, datasetId, version);
  const all = await versionFiles(owner, datasetId, version);
  const start = query.cursor === undefined ? 0 : decodeFilesCursor(query.cursor, all.length);
  if (start === null) {
    throw new Invalid('BAD_CURSOR', `The cursor is not one this API issued for version ${version}'s files; start the listing again without it.`, [{ field: 'cursor', message: 'Unknown cursor.' }]);
  }
  const page = filesPage(all, start, query.limit);
  const files = { files: page.files, ...(page.next === undefined ? {} : { cursor: encodeFilesCursor(page.next) }) };
  const key = await validatedBytes(stored);
  if (!key) return files;
  const url = await presignDownload(config.datasetsBucket, key, LINK_SECONDS);
  return { ...files, url, expiresAt: new Date(now.getTime() + LINK_SECONDS * 1000).toISOString() };
}
