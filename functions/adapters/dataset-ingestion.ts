// From an S3 ObjectCreated record to a decided dataset version, safely under at-least-once, out-of-order
// delivery:
//  1. the object's identity (key, ETag, sequencer) is claimed once with a conditional put (a "marker"); the
//     claim maps the object to exactly one version (a presigned upload's own version, or a new one);
//  2. the version moves UPLOADING → VALIDATING under a lease; a duplicate event finds the lease held or the
//     version decided and stops; a retry after a crash or a released lease re-claims and validates again;
//  3. the verdict is a conditional write VALIDATING → READY | INVALID for that ETag only.
// Any error but a transient one ends INVALID with a message; a transient one releases the lease and is
// retried by Lambda, and the last attempt ends INVALID too, so no version stays VALIDATING.
import { CopyObjectCommand, GetObjectCommand, HeadObjectCommand } from '@aws-sdk/client-s3';
import { inspectArchive } from '../domain/archive-inspection';
import { rejectedReport } from '../domain/dataset-validation';
import {
  datasetObjectKey, newDataset, newVersion, objectId, objectIdPrefix, parseDatasetKey, parseIncomingKey, SIDECAR_SUFFIX,
} from '../domain/datasets';
import { isDomainError } from '../domain/errors';
import { SidecarTrainingRequest, type DatasetVersion } from '../domain/schemas';
import { s3ArchiveSource, StaleObject } from './archive-source';
import { s3 } from './blob-store';
import {
  claimObject, claimValidation, decideValidation, findObjectMarker, getDataset, getObjectMarker, getStoredVersion, nextVersion,
  putDataset, putObjectVersion, raiseLatestVersion, recordAutoStart, releaseValidation, setObjectVersion, takeOverObject,
} from './dataset-store';
import { startJob } from './job-starter';
import { logger } from './logger';
import { listTrainers } from './trainers';

/** Attempts (first delivery + Lambda's two async retries) before a failing validation ends INVALID. */
export const MAX_ATTEMPTS = 3;
/** A claim that recorded no version after this long belongs to a crashed invocation and may be taken over. */
const MARKER_TAKEOVER_MS = 60_000;
const SIDECAR_MAX_BYTES = 64 * 1024;
/** Metadata on the copy of a version's bytes at its own key; its ObjectCreated event is not a new upload. */
const COPY_MARK = 'loraworks-version-copy';

export interface UploadedObject {
  bucket: string;
  /** The object key as stored (the event's form encoding already undone). */
  key: string;
  size?: number;
  eTag?: string;
  sequencer?: string;
}

interface Target {
  owner: string;
  datasetId: string;
  version: number;
  direct: boolean;
}

export type Outcome = 'validated' | 'duplicate' | 'stale' | 'ignored' | 'sidecar';

export async function ingestObject(object: UploadedObject, leaseMs: number, now = () => new Date()): Promise<Outcome> {
  const incoming = parseIncomingKey(object.key);
  if (incoming?.sidecar) {
    await sidecarArrived(object.bucket, incoming.owner, incoming.datasetId, incoming.zipKey);
    return 'sidecar';
  }
  const presigned = incoming ? null : parseDatasetKey(object.key);
  if (!incoming && !presigned) {
    logger.warn('Ignored an object outside the dataset key conventions', { key: object.key });
    return 'ignored';
  }
  // The object as it is now: an event whose object was since replaced is stale (the newer object has its own event).
  const head = await s3().send(new HeadObjectCommand({ Bucket: object.bucket, Key: object.key })).catch((error: Error) => {
    if (error.name === 'NotFound' || error.name === 'NoSuchKey') return null;
    throw error;
  });
  if (head?.Metadata?.[COPY_MARK]) return 'ignored'; // a version's own copy, made below
  const eTag = (head?.ETag ?? '').replace(/"/g, '');
  if (!head || (object.eTag && object.eTag.replace(/"/g, '') !== eTag)) {
    logger.info('Stale event: the object was replaced or removed since', { key: object.key });
    return 'stale';
  }
  const size = head.ContentLength ?? object.size ?? 0;
  const sequencer = object.sequencer ?? head.LastModified?.getTime().toString(16) ?? '0';

  const owner = (incoming ?? presigned)!.owner;
  const datasetId = (incoming ?? presigned)!.datasetId;
  const fileName = (incoming ?? presigned)!.fileName;
  const id = objectId(object.key, eTag, sequencer);
  const version = await versionForObject(owner, datasetId, id, object.key, fileName, size, presigned?.version, now());
  if (version === null) return 'duplicate';
  const target: Target = { owner, datasetId, version, direct: Boolean(incoming) };
  return validateVersion(object, target, eTag, size, leaseMs, now);
}

/** The version this object is (claiming it on first sight); null while another invocation is creating it. */
async function versionForObject(owner: string, datasetId: string, id: string, key: string, fileName: string, size: number, presignedVersion: number | undefined, at: Date): Promise<number | null> {
  if (!(await claimObject(owner, datasetId, id, at))) {
    const marker = await getObjectMarker(owner, datasetId, id);
    if (marker?.version !== undefined) return marker.version;
    if (!marker || at.getTime() - marker.claimedAt < MARKER_TAKEOVER_MS || !(await takeOverObject(owner, datasetId, id, marker.claimedAt, at))) {
      logger.info('Duplicate event: the object is being recorded by another invocation', { key });
      return null;
    }
  }
  const version = await allocateVersion(owner, datasetId, key, fileName, size, presignedVersion, at);
  await setObjectVersion(owner, datasetId, id, version);
  return version;
}

async function allocateVersion(owner: string, datasetId: string, key: string, fileName: string, size: number, presignedVersion: number | undefined, at: Date): Promise<number> {
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

async function ensureDataset(owner: string, datasetId: string, at: Date): Promise<void> {
  if (await getDataset(owner, datasetId)) return;
  await putDataset(owner, newDataset(datasetId, datasetId, at)).catch((error: Error) => {
    if (error.name !== 'ConditionalCheckFailedException') throw error;
  });
}

async function validateVersion(object: UploadedObject, target: Target, eTag: string, size: number, leaseMs: number, now: () => Date): Promise<Outcome> {
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

  let patch: Partial<DatasetVersion>;
  try {
    const source = await s3ArchiveSource(object.bucket, object.key, { size, eTag });
    const { report, sha256, sizeBytes } = await inspectArchive(source, (await listTrainers()).trainers);
    patch = { report, sha256, sizeBytes };
    logger.info('Dataset read', { datasetId, version, bytesRead: source.stats.bytesRead, requests: source.stats.requests, size });
  } catch (error) {
    if (error instanceof StaleObject) {
      patch = { report: rejectedReport('OBJECT_REPLACED', 'This upload was replaced by a newer file at the same key before it could be validated; the newer file is validated as the next version.') };
    } else if (attempt < MAX_ATTEMPTS && isTransient(error)) {
      await releaseValidation(owner, datasetId, version, eTag);
      throw error; // Lambda retries the event, which re-claims the version
    } else {
      logger.error('Validation failed', { datasetId, version, attempt, error: String(error) });
      patch = { report: rejectedReport('VALIDATION_FAILED', `The upload could not be validated (${(error as Error).message}). Upload it again; if it keeps failing, re-create the zip.`) };
    }
  }
  const status = (patch.report?.errors.length ?? 1) > 0 ? 'INVALID' : 'READY';
  if (status === 'READY') {
    // Every READY version's bytes live at its own key, which nothing overwrites (a direct upload's incoming/
    // key, or an overwritten presigned key, may be replaced by the next upload). A server-side copy.
    const ownKey = datasetObjectKey(owner, datasetId, version, (await getStoredVersion(owner, datasetId, version))?.fileName ?? 'dataset.zip');
    if (ownKey !== object.key) await copyToVersionKey(object.bucket, object.key, ownKey, eTag, version, attempt, { owner, datasetId });
  }
  if (!(await decideValidation(owner, datasetId, version, eTag, status, patch, now()))) {
    logger.info('Version was decided by another invocation', { datasetId, version });
    return 'duplicate';
  }
  logger.info('Dataset version validated', { datasetId, version, status, images: patch.report?.images, errors: patch.report?.errors.length });
  if (status === 'READY' && target.direct) await autoStartIfAsked(object.bucket, object.key, owner, datasetId, version, {});
  return 'validated';
}

async function copyToVersionKey(bucket: string, from: string, to: string, eTag: string, version: number, attempt: number, ids: { owner: string; datasetId: string }): Promise<void> {
  try {
    await s3().send(new CopyObjectCommand({
      Bucket: bucket, Key: to, CopySource: `${bucket}/${from.split('/').map(encodeURIComponent).join('/')}`, CopySourceIfMatch: `"${eTag}"`,
      MetadataDirective: 'REPLACE', Metadata: { [COPY_MARK]: String(version) }, ContentType: 'application/zip',
    }));
  } catch (error) {
    if (attempt < MAX_ATTEMPTS) await releaseValidation(ids.owner, ids.datasetId, version, eTag);
    throw error;
  }
}

const isTransient = (error: unknown): boolean => {
  const e = error as { name?: string; code?: string; $retryable?: unknown; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode ?? 0;
  return Boolean(e.$retryable) || status >= 500 || status === 429 || ['ECONNRESET', 'ETIMEDOUT', 'ECONNREFUSED', 'EPIPE'].includes(e.code ?? '')
    || ['TimeoutError', 'ThrottlingException', 'SlowDown', 'InternalError', 'ServiceUnavailable', 'ProvisionedThroughputExceededException'].includes(e.name ?? '');
};

/** A sidecar arrived: if its zip is already READY, start the job now (else the zip's validation will). */
async function sidecarArrived(bucket: string, owner: string, datasetId: string, zipKey: string): Promise<void> {
  const head = await s3().send(new HeadObjectCommand({ Bucket: bucket, Key: zipKey })).catch(() => null);
  if (!head?.ETag) return;
  const marker = await findObjectMarker(owner, datasetId, objectIdPrefix(zipKey, head.ETag));
  if (marker?.version === undefined) return;
  const version = await getStoredVersion(owner, datasetId, marker.version);
  if (version?.status === 'READY') await autoStartIfAsked(bucket, zipKey, owner, datasetId, marker.version, version);
}

/**
 * Starts the sidecar's job once per version (the idempotency key is the version), records the job or the
 * reason it could not start on the version. Transient failures throw, so the event is retried.
 */
async function autoStartIfAsked(bucket: string, zipKey: string, owner: string, datasetId: string, version: number, current: Pick<DatasetVersion, 'autoStart'>): Promise<void> {
  if (current.autoStart?.jobId || current.autoStart?.error) return;
  const sidecar = await readSidecar(bucket, `${zipKey}${SIDECAR_SUFFIX}`);
  if (sidecar === null) return;
  let autoStart: NonNullable<DatasetVersion['autoStart']>;
  if ('error' in sidecar) {
    autoStart = { error: sidecar.error };
  } else {
    try {
      const { job } = await startJob({
        owner, request: { ...sidecar.request, datasetId, datasetVersion: version }, origin: 's3',
        idempotencyKey: `s3-autostart:${datasetId}:v${version}`, at: new Date(),
      });
      autoStart = { jobId: job.id };
    } catch (error) {
      if (!isDomainError(error)) throw error;
      autoStart = { error: { code: error.code, message: error.message } };
    }
  }
  await recordAutoStart(owner, datasetId, version, autoStart);
  logger.info('Sidecar training request handled', { datasetId, version, ...autoStart });
}

async function readSidecar(bucket: string, key: string): Promise<{ request: SidecarTrainingRequest } | { error: { code: string; message: string } } | null> {
  let text: string;
  try {
    const { Body, ContentLength } = await s3().send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    if ((ContentLength ?? 0) > SIDECAR_MAX_BYTES) return { error: { code: 'SIDECAR_TOO_LARGE', message: `${key} is over ${SIDECAR_MAX_BYTES} bytes; a training request is a small JSON object.` } };
    const chunks: Buffer[] = [];
    for await (const chunk of (Body ?? []) as AsyncIterable<Uint8Array>) chunks.push(Buffer.from(chunk));
    text = Buffer.concat(chunks).toString('utf8');
  } catch (error) {
    if ((error as Error).name === 'NoSuchKey' || (error as Error).name === 'NotFound') return null;
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { error: { code: 'SIDECAR_INVALID', message: `${key} is not valid JSON.` } };
  }
  const parsed = SidecarTrainingRequest.safeParse(json);
  if (!parsed.success) {
    return { error: { code: 'SIDECAR_INVALID', message: `${key} is not a training request: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}.` } };
  }
  return { request: parsed.data };
}

