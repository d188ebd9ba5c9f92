// A new version made from an edit of a READY one (POST /datasets/{id}/versions): the names it touches are
// checked against the source's zip directory (a few ranged GETs), the version is allocated (UPLOADING,
// derivedFrom) and the edit request stored as an object whose arrival starts the derive function; with
// `addUpload`, a presigned POST for the additions zip, after which the derive starts.
import type { z } from 'zod';
import { additionsKey, editIsEmpty, editKey, editProblems } from '#domain/dataset-edits';
import { newVersion } from '#domain/datasets';
import { Conflict, Invalid, NotFound } from '#domain/errors';
import type { CreateDatasetVersionRequest, CreateDatasetVersionResponse } from '#domain/schemas';
import { readDirectory, TAIL_BYTES } from '#domain/zip-directory';
import { s3ArchiveSource } from '#adapters/archive-source';
import { presignUpload } from '#adapters/blob-store';
import { config } from '#adapters/config';
import { putEdit } from '#adapters/dataset-edits';
import { getDataset, getStoredVersion, nextVersion, putVersion } from '#adapters/dataset-store';

export async function createDatasetVersion(owner: string, datasetId: string, request: z.output<typeof CreateDatasetVersionRequest>, now: Date): Promise<CreateDatasetVersionResponse> {
  const dataset = await getDataset(owner, datasetId);
  if (!dataset) throw new NotFound('DATASET_NOT_FOUND', `Dataset ${datasetId} does not exist.`);
  const from = await getStoredVersion(owner, datasetId, request.from);
  if (!from) throw new NotFound('DATASET_VERSION_NOT_FOUND', `Dataset ${dataset.name} has no version ${request.from}.`, [{ field: 'from', message: `No version ${request.from}.` }]);
  if (from.status !== 'READY') {
    throw new Conflict('DATASET_NOT_READY', `Version ${from.version} of dataset ${dataset.name} is ${from.status}; only a READY version can be edited. Pick a READY version.`);
  }
  const sourceKey = from.validatedKey;
  if (!sourceKey) throw new Conflict('DATASET_NOT_EDITABLE', `Version ${from.version} of dataset ${dataset.name} was validated before versions kept a validated copy; upload it again to edit it.`);
  if (editIsEmpty(request)) {
    throw new Invalid('NOTHING_TO_CHANGE', 'The edit changes nothing and adds nothing: give captions, remove or addUpload.', [{ field: 'body', message: 'Nothing to change.' }]);
  }
  const sourceETag = from.validatedETag;
  const names = await entryNames(config.datasetsBucket, sourceKey, sourceETag ? { size: from.sizeBytes, eTag: sourceETag } : {});
  const problems = editProblems(names, request, from.version);
  if (problems.length > 0) throw new Invalid('NO_SUCH_FILE', `The edit names files version ${from.version} does not hold: ${problems.map((p) => p.field).slice(0, 5).join(', ')}.`, problems);

  const version = await nextVersion(owner, datasetId);
  const fileName = from.fileName ?? 'dataset.zip';
  await putVersion(owner, datasetId, { ...newVersion(version, fileName, from.sizeBytes, request.source ?? 'web', now), derivedFrom: from.version });
  await putEdit(config.datasetsBucket, editKey(owner, datasetId, version), {
    from: from.version, sourceKey, ...(sourceETag ? { sourceETag } : {}), fileName,
    captions: request.captions, remove: request.remove, ...(request.addUpload ? { addUpload: true } : {}),
  });
  if (!request.addUpload) return { version };
  const upload = await presignUpload(config.datasetsBucket, additionsKey(owner, datasetId, version), [1, config.maxUploadBytes]);
  return { version, upload };
}

/** The entry names of a zip in S3, from its central directory alone. */
async function entryNames(bucket: string, key: string, expected: { size?: number; eTag?: string }): Promise<string[]> {
  const source = await s3ArchiveSource(bucket, key, expected);
  const tailLength = Math.min(source.size, TAIL_BYTES);
  const tail = await source.readRange(source.size - tailLength, source.size);
  const directory = await readDirectory(source.size, tail, (start, end) => source.readRange(start, end));
  return directory.entries.map((e) => e.name);
}
