// Builds a version made from an edit: when its edit request (edits/…) lands, and, if it asked for additions,
// once its additions zip (additions/…) has landed too, the new zip is streamed from the source version's
// validated copy (and the additions) into S3 multipart at the version's upload key, where the validator takes
// it as that version's upload (allocate-version.ts: a version with no object yet is its key's own). Duplicate
// events derive once (a conditional claim on the version); a source gone or replaced, or additions that are
// not a zip, end the version INVALID with a finding saying what to do.
import { Readable } from 'node:stream';
import { additionsKey, editKey } from '#domain/dataset-edits';
import { datasetObjectKey } from '#domain/datasets';
import { rejectedReport } from '#domain/dataset-validation';
import { derivedZip, type DeriveStats } from '#domain/derived-zip';
import { ArchiveRejected } from '#domain/zip-directory';
import { s3ArchiveSource, StaleObject } from '#adapters/archive-source';
import { uploadStream } from '#adapters/blob-store';
import { config } from '#adapters/config';
import { claimDerive, failDerive, markDerived, readEdit, releaseDerive } from '#adapters/dataset-edits';
import { headObject, isTransientAwsError } from '#adapters/dataset-objects';
import { logger } from '#adapters/logger';

export type DeriveOutcome = 'derived' | 'waiting' | 'duplicate' | 'failed' | 'no-edit';

/** A derive's claim outlives the function's 15-minute timeout. */
const DERIVE_LEASE_MS = 16 * 60_000;

export async function deriveDatasetVersion(owner: string, datasetId: string, version: number, now = () => new Date()): Promise<DeriveOutcome> {
  const bucket = config.datasetsBucket;
  const edit = await readEdit(bucket, editKey(owner, datasetId, version));
  if (!edit) {
    logger.warn('No edit request for this version', { datasetId, version });
    return 'no-edit';
  }
  const addKey = additionsKey(owner, datasetId, version);
  const additionsHead = edit.addUpload ? await headObject(bucket, addKey) : null;
  if (edit.addUpload && !additionsHead) {
    logger.info('Waiting for the additions zip', { datasetId, version });
    return 'waiting';
  }
  if (!(await claimDerive(owner, datasetId, version, now(), DERIVE_LEASE_MS))) {
    logger.info('Duplicate event: the version is derived or being derived', { datasetId, version });
    return 'duplicate';
  }
  const fail = async (code: string, message: string): Promise<DeriveOutcome> => {
    logger.warn('Derive failed', { datasetId, version, code, reason: message });
    await failDerive(owner, datasetId, version, rejectedReport(code, message), now());
    return 'failed';
  };

  const sourceHead = await headObject(bucket, edit.sourceKey);
  if (!sourceHead || (edit.sourceETag && sourceHead.eTag !== edit.sourceETag)) {
    return fail('DERIVE_SOURCE_GONE', `The zip of version ${edit.from} is no longer stored, so version ${version} could not be built from it. Upload the dataset again.`);
  }
  const stats: DeriveStats = { copiedEntries: 0, writtenCaptions: 0, droppedEntries: 0, runs: 0 };
  try {
    const source = await s3ArchiveSource(bucket, edit.sourceKey, { size: sourceHead.size ?? 0, eTag: sourceHead.eTag });
    const additions = additionsHead ? await s3ArchiveSource(bucket, addKey, { size: additionsHead.size ?? 0, eTag: additionsHead.eTag }) : null;
    const body = Readable.from(derivedZip(source, additions, edit, now(), stats), { objectMode: false });
    await uploadStream(bucket, datasetObjectKey(owner, datasetId, version, edit.fileName), body, 'application/zip');
    await markDerived(owner, datasetId, version, now());
    logger.info('Dataset version derived', { datasetId, version, from: edit.from, ...stats, bytesRead: source.stats.bytesRead + (additions?.stats.bytesRead ?? 0) });
    return 'derived';
  } catch (error) {
    if (error instanceof ArchiveRejected) {
      if (error.code.startsWith('ADDITIONS_')) return fail('ADDITIONS_NOT_A_ZIP', `The added files could not be read as a zip (${error.message}) Save the edit again and post a .zip of the files to add.`);
      return fail('DERIVE_SOURCE_UNREADABLE', `The zip of version ${edit.from} could not be read (${error.message}) Upload the dataset again.`);
    }
    if (error instanceof StaleObject) return fail('DERIVE_SOURCE_GONE', `The zip of version ${edit.from} was replaced while version ${version} was built from it. Save the edit again.`);
    if (isTransientAwsError(error)) {
      await releaseDerive(owner, datasetId, version);
      throw error; // Lambda retries the event, which claims the derive again
    }
    logger.error('Derive failed', { datasetId, version, error: String(error) });
    return fail('DERIVE_FAILED', `Version ${version} could not be built from version ${edit.from} (${(error as Error).message}). Save the edit again; if it keeps failing, upload the dataset again.`);
  }
}
