// Validating one version of a dataset under its lease: a duplicate event finds the lease held or the version
// decided and stops; a retry after a crash or a released lease re-claims and validates again; the verdict is a
// conditional write VALIDATING → READY | INVALID for that ETag only. Any error but a transient one ends INVALID
// with a message; a transient one releases the lease and is retried by Lambda, and the last attempt ends
// INVALID too, so no version stays VALIDATING.
import { inspectArchive } from '#domain/archive-inspection';
import { objectId, validatedObjectKey, type VersionInternals } from '#domain/datasets';
import { rejectedReport } from '#domain/dataset-validation';
import type { DatasetFile, DatasetVersion } from '#domain/schemas';
import { s3ArchiveSource, StaleObject } from '#adapters/archive-source';
import { putManifest } from '#adapters/dataset-manifests';
import { setObjectVersion } from '#adapters/dataset-object-claims';
import { copyToVersionKey, isTransientAwsError } from '#adapters/dataset-objects';
import { getStoredVersion } from '#adapters/dataset-store';
import { logger } from '#adapters/logger';
import { listTrainers } from '#adapters/trainers';
import { claimValidation, decideValidation, releaseValidation } from '#adapters/validation-lease';
import { allocateVersion } from './allocate-version';
import { autoStartIfAsked } from './auto-start-job';

/** Attempts (first delivery + Lambda's two async retries) before a failing validation ends INVALID. */
const MAX_ATTEMPTS = 3;

export interface UploadedObject {
  bucket: string;
  /** The object key as stored (the event's form encoding already undone). */
  key: string;
  size?: number;
  eTag?: string;
  sequencer?: string;
  /** Who wrote it, as S3 records it (userIdentity.principalId): decides whether a direct upload is its key's owner's. */
  writer?: string;
}

interface Target {
  owner: string;
  datasetId: string;
  version: number;
  /** A direct (incoming/) upload, which may come with a sidecar. */
  direct: boolean;
}

export type Outcome = 'validated' | 'duplicate' | 'stale' | 'ignored' | 'sidecar' | 'refused';

export async function validateVersion(object: UploadedObject, target: Target, eTag: string, size: number, leaseMs: number, now: () => Date): Promise<Outcome> {
  const { owner, datasetId, version } = target;
  const attempt = await claimValidation(owner, datasetId, version, { key: object.key, eTag }, now(), leaseMs);
  if (attempt === null) {
    const current = await getStoredVersion(owner, datasetId, version);
    if (current?.objectETag && current.objectETag !== eTag) {
      // Two objects raced for one presigned version: this one becomes the next version.
      const id = objectId(object.key, eTag, object.sequencer ?? '0');
      const next = await allocateVersion(owner, datasetId, object.key, current.fileName ?? 'dataset.zip', size, undefined, now());
      await setObjectVersion(owner, datasetId, id, next);
      return validateVersion(object, { ...target, version: next }, eTag, size, leaseMs, now);
    }
    if (current?.status === 'READY' && target.direct) await autoStartIfAsked(object.bucket, object.key, owner, datasetId, version, current);
    logger.info('Duplicate event: the version is decided or being validated', { datasetId, version, status: current?.status });
    return 'duplicate';
  }

  let patch: Partial<DatasetVersion> & VersionInternals;
  let files: DatasetFile[] = [];
  try {
    const source = await s3ArchiveSource(object.bucket, object.key, { size, eTag });
    const inspection = await inspectArchive(source, (await listTrainers()).trainers);
    const { report, sha256, sizeBytes } = inspection;
    files = inspection.files;
    patch = { report, sha256, sizeBytes };
    logger.info('Dataset read', { datasetId, version, bytesRead: source.stats.bytesRead, requests: source.stats.requests, size });
  } catch (error) {
    if (error instanceof StaleObject) {
      patch = { report: rejectedReport('OBJECT_REPLACED', 'This upload was replaced by a newer file at the same key before it could be validated; the newer file is validated as the next version.') };
    } else if (attempt < MAX_ATTEMPTS && isTransientAwsError(error)) {
      await releaseValidation(owner, datasetId, version, eTag);
      throw error; // Lambda retries the event, which re-claims the version
    } else {
      logger.error('Validation failed', { datasetId, version, attempt, error: String(error) });
      patch = { report: rejectedReport('VALIDATION_FAILED', `The upload could not be validated (${(error as Error).message}). Upload it again; if it keeps failing, re-create the zip.`) };
    }
  }
  if ((patch.report?.errors.length ?? 1) === 0) {
    // A READY version's bytes live under validated/, where no upload policy or grant can write: the upload key
    // (a presigned form stays valid for an hour; a direct upload's incoming/ key takes the next file) may be
    // overwritten, the copy is not. A server-side copy of exactly the validated object (If-Match its ETag).
    const validatedKey = validatedObjectKey(owner, datasetId, version, (await getStoredVersion(owner, datasetId, version))?.fileName ?? 'dataset.zip');
    const copied = await copyToVersionKey(object.bucket, object.key, validatedKey, eTag, version).catch(async (error: unknown) => {
      if (attempt < MAX_ATTEMPTS) await releaseValidation(owner, datasetId, version, eTag);
      throw error;
    });
    patch = copied === 'replaced'
      ? { report: rejectedReport('OBJECT_REPLACED', 'This upload was replaced by a newer file at the same key before it could be validated; the newer file is validated as the next version.') }
      : { ...patch, validatedKey, validatedETag: copied };
  }
  const status = (patch.report?.errors.length ?? 1) > 0 ? 'INVALID' : 'READY';
  // The manifest (GET …/files) is written before the verdict, so a decided version always has one; a version
  // whose archive could not be read has no files. Duplicate invocations write the same manifest.
  await putManifest(owner, datasetId, version, files).catch(async (error: unknown) => {
    if (attempt < MAX_ATTEMPTS) await releaseValidation(owner, datasetId, version, eTag);
    throw error;
  });
  if (!(await decideValidation(owner, datasetId, version, eTag, status, patch, now()))) {
    logger.info('Version was decided by another invocation', { datasetId, version });
    return 'duplicate';
  }
  logger.info('Dataset version validated', { datasetId, version, status, images: patch.report?.images, errors: patch.report?.errors.length });
  if (status === 'READY' && target.direct) await autoStartIfAsked(object.bucket, object.key, owner, datasetId, version, {});
  return 'validated';
}
