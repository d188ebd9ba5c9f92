// validate-dataset: every zip that lands under datasets/ becomes a READY or INVALID version with its sha256,
// size and report. S3 may deliver an event twice; a version already decided is left alone.
import { createHash } from 'node:crypto';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { rangeStream, readObject } from '../adapters/blob-store';
import { getDataset, getVersion, putDataset, putVersion, raiseLatestVersion, setVersionStatus } from '../adapters/dataset-store';
import { logger } from '../adapters/logger';
import { listTrainers } from '../adapters/trainers';
import { headBytesFor, unreadableReport, validateEntries } from '../domain/dataset-validation';
import { decodeEventKey, newDataset, newVersion, parseDatasetObjectKey, type DatasetObject } from '../domain/datasets';
import type { ValidationReport } from '../domain/schemas';
import { listArchive, UnreadableArchive } from '../domain/zip-archive';

/** Zips up to this size are read once into memory; larger ones are read again by ranges for the listing. */
const IN_MEMORY_BYTES = 128 * 1024 * 1024;

export const handler = async (event: S3Event): Promise<void> => {
  for (const record of event.Records) await validateRecord(record);
};

async function validateRecord(record: S3EventRecord): Promise<void> {
  const bucket = record.s3.bucket.name;
  const key = decodeEventKey(record.s3.object.key);
  const target = parseDatasetObjectKey(record.s3.object.key);
  if (!target) {
    logger.warn('Ignored an object outside the dataset key convention', { key });
    return;
  }
  const now = new Date();
  if (!(await ensureVersion(target, record.s3.object.size ?? 0, now))) return;
  const { owner, datasetId, version } = target;
  if (!(await setVersionStatus(owner, datasetId, version, ['UPLOADING', 'VALIDATING'], 'VALIDATING', {}, now))) {
    logger.info('Version already validated; duplicate event ignored', { datasetId, version });
    return;
  }

  const { sha256, size, bytes } = await digest(bucket, key);
  let report: ValidationReport;
  try {
    const source = bytes ?? { size, readRange: (start: number, end: number) => rangeStream(bucket, key, start, end) };
    const entries = await listArchive(source, headBytesFor);
    report = validateEntries(entries, (await listTrainers()).trainers);
  } catch (error) {
    if (!(error instanceof UnreadableArchive)) throw error;
    report = unreadableReport(`${error.message} Upload a .zip made with your system's "compress" or "zip" tool.`);
  }
  const status = report.errors.length > 0 ? 'INVALID' : 'READY';
  await setVersionStatus(owner, datasetId, version, ['VALIDATING'], status, { sha256, sizeBytes: size, report }, new Date());
  logger.info('Dataset version validated', { datasetId, version, status, images: report.images, errors: report.errors.length });
}

/** A version uploaded straight into the bucket (tooling) gets its records here; false if already decided. */
async function ensureVersion(target: DatasetObject, sizeBytes: number, now: Date): Promise<boolean> {
  const { owner, datasetId, version, fileName } = target;
  const existing = await getVersion(owner, datasetId, version);
  if (existing) return existing.status === 'UPLOADING' || existing.status === 'VALIDATING';
  if (!(await getDataset(owner, datasetId))) {
    await putDataset(owner, newDataset(datasetId, datasetId, now)).catch((error: Error) => {
      if (error.name !== 'ConditionalCheckFailedException') throw error;
    });
  }
  await putVersion(owner, datasetId, newVersion(version, fileName, sizeBytes, 's3', now));
  await raiseLatestVersion(owner, datasetId, version);
  return true;
}

/** Streams the object once for its sha256 and size, keeping the bytes only when the zip is small. */
async function digest(bucket: string, key: string): Promise<{ sha256: string; size: number; bytes?: Buffer }> {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await readObject(bucket, key)) {
    const buffer = chunk as Buffer;
    hash.update(buffer);
    size += buffer.length;
    if (size <= IN_MEMORY_BYTES) chunks.push(buffer);
    else chunks.length = 0;
  }
  return { sha256: hash.digest('hex'), size, ...(size <= IN_MEMORY_BYTES ? { bytes: Buffer.concat(chunks) } : {}) };
}
