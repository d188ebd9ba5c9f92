// Datasets and their immutable versions. Pure: ids and the clock come in as arguments.
import { createHash } from 'node:crypto';
import { Conflict, NotFound, TooLarge } from './errors';
import { DATASET_ID_PATTERN } from './identifiers';
import type { Dataset, DatasetVersion, Trainer, ValidationReport } from './schemas';

export type VersionSource = DatasetVersion['source'];

export function newDataset(id: string, name: string, at: Date): Dataset {
  return { id, name, createdAt: at.toISOString() };
}

export function newVersion(version: number, fileName: string, sizeBytes: number, source: VersionSource, at: Date): DatasetVersion {
  return { version, status: 'UPLOADING', fileName, sizeBytes, source, createdAt: at.toISOString() };
}

/** `datasets/{owner}/{datasetId}/v{version}/{fileName}`, with the owner URI-encoded (subjects may hold any character). */
/** A dataset as the API shows it: without its owner. */
export function publicDataset(dataset: Dataset & { owner?: string }): Dataset {
  const { owner: _owner, ...rest } = dataset;
  return rest;
}

/** Fields of a version item that only the validator reads (object identity, lease, attempts). */
export interface VersionInternals {
  objectKey?: string;
  objectETag?: string;
  /** Where a READY version's validated bytes live (validatedObjectKey), and that copy's ETag. */
  validatedKey?: string;
  validatedETag?: string;
  leaseUntil?: number;
  attempts?: number;
  /** A version made from an edit: the derive function's claim, and when its zip was written. */
  deriveLeaseUntil?: number;
  derivedAt?: string;
}

/** A version as the API shows it: without its owner, its dataset id or the validator's own fields. */
export function publicVersion(version: DatasetVersion & { datasetId?: string; owner?: string } & VersionInternals): DatasetVersion {
  const { owner: _owner, datasetId: _datasetId, objectKey: _k, objectETag: _e, validatedKey: _vk, validatedETag: _ve, leaseUntil: _l, attempts: _a, deriveLeaseUntil: _dl, derivedAt: _da, ...rest } = version;
  return rest;
}

export function datasetObjectKey(owner: string, datasetId: string, version: number, fileName: string): string {
  return `datasets/${encodeURIComponent(owner)}/${datasetId}/v${version}/${fileName}`;
}

/**
 * Validated bytes live under `validated/`, which no upload policy and no direct-upload grant names and no
 * notification watches: once READY, a version's bytes are the ones validated, whatever is posted at its upload
 * key later (a presigned form stays valid for an hour). Only the validator writes here; the trainer reads here.
 */
export const VALIDATED_PREFIX = 'validated/';

export function validatedObjectKey(owner: string, datasetId: string, version: number, fileName: string): string {
  return `${VALIDATED_PREFIX}${encodeURIComponent(owner)}/${datasetId}/v${version}/${fileName}`;
}

export interface DatasetObject {
  owner: string;
  datasetId: string;
  version: number;
  fileName: string;
}

/** S3 event records carry keys form-encoded: `+` is a space, `%xx` an escape. */
export const decodeEventKey = (eventKey: string): string => decodeURIComponent(eventKey.replace(/\+/g, ' '));

/** Reads a key as it arrives in an S3 event (form-encoded). */
export const parseDatasetObjectKey = (eventKey: string): DatasetObject | null => parseDatasetKey(decodeEventKey(eventKey));

/** Reads an object key (as stored): `datasets/{owner, URI-encoded}/{datasetId}/v{version}/{fileName}`. */
export function parseDatasetKey(key: string): DatasetObject | null {
  const match = /^datasets\/([^/]+)\/([^/]+)\/v(\d+)\/([^/]+)$/.exec(key);
  if (!match) return null;
  const [, owner, datasetId, version, fileName] = match as unknown as [string, string, string, string, string];
  const parsedVersion = Number(version);
  if (!Number.isSafeInteger(parsedVersion) || parsedVersion < 1) return null;
  try {
    return { owner: decodeURIComponent(owner), datasetId, version: parsedVersion, fileName };
  } catch {
    return null;
  }
}

/** Tooling uploads straight into the bucket under `incoming/{owner}/{dataset}/{file}.zip` (owner URI-encoded). */
export const INCOMING_PREFIX = 'incoming/';
/** `{file}.zip.train.json` beside the zip: a training request (CreateJobRequest minus the dataset) started once the version is READY. */
export const SIDECAR_SUFFIX = '.train.json';

export interface IncomingObject {
  owner: string;
  /** An existing dataset id of the owner, or the id (and name) of a dataset created for it. */
  datasetId: string;
  fileName: string;
  /** The zip's key: the object itself, or the zip a sidecar belongs to. */
  zipKey: string;
  sidecar: boolean;
}

/** Reads an object key (as stored, not as an event encodes it). */
export function parseIncomingKey(key: string): IncomingObject | null {
  const match = /^incoming\/([^/]+)\/([^/]+)\/([^/]+\.zip)(\.train\.json)?$/i.exec(key);
  if (!match) return null;
  const [, owner, datasetId, fileName, sidecar] = match as unknown as [string, string, string, string, string | undefined];
  if (!DATASET_ID_PATTERN.test(datasetId)) return null;
  let decodedOwner: string;
  try {
    decodedOwner = decodeURIComponent(owner);
  } catch {
    return null;
  }
  return { owner: decodedOwner, datasetId, fileName, zipKey: sidecar ? key.slice(0, -SIDECAR_SUFFIX.length) : key, sidecar: Boolean(sidecar) };
}

/** One uploaded object: its key, its content (ETag) and its upload (S3's sequencer orders writes to one key). */
export const objectIdPrefix = (key: string, eTag: string): string =>
  `${createHash('sha256').update(key).digest('hex').slice(0, 32)}#${eTag.replace(/"/g, '')}#`;
export const objectId = (key: string, eTag: string, sequencer: string): string => `${objectIdPrefix(key, eTag)}${sequencer}`;

/** The version a job will train on: the one asked for, or the newest READY one. */
export function pickVersion(dataset: Dataset, versions: DatasetVersion[], requested?: number): DatasetVersion {
  if (requested !== undefined) {
    const found = versions.find((v) => v.version === requested);
    if (!found) throw new NotFound('DATASET_VERSION_NOT_FOUND', `Dataset ${dataset.name} has no version ${requested}.`);
    return found;
  }
  const ready = versions.filter((v) => v.status === 'READY').sort((a, b) => b.version - a.version)[0];
  if (!ready) throw new Conflict('DATASET_NOT_READY', `Dataset ${dataset.name} has no validated version yet. Upload a zip and wait for validation to finish.`);
  return ready;
}

/** Why this report's dataset cannot train on this trainer; empty when it can. */
export function fitIssues(report: ValidationReport, trainer: Trainer): string[] {
  const rules = trainer.dataset;
  const acceptsVideo = rules.formats.some((f) => VIDEO_FORMATS.includes(f));
  const acceptsImages = rules.formats.some((f) => IMAGE_FORMATS.includes(f));
  const pairsOnly = rules.layout === 'start-end';
  const media = pairsOnly ? report.editPairs ?? 0 : (acceptsImages ? report.images : 0) + (acceptsVideo ? report.videos : 0);
  const noun = pairsOnly ? 'start/end image pairs' : acceptsVideo && acceptsImages ? 'images or videos' : acceptsVideo ? 'videos' : 'images';
  const issues: string[] = [];
  if (report.errors.length > 0) issues.push('the dataset has validation errors');
  if (media < rules.minImages) issues.push(`${trainer.name} needs at least ${rules.minImages} ${noun}, the dataset has ${media}`);
  if (rules.maxImages !== undefined && media > rules.maxImages) issues.push(`${trainer.name} takes at most ${rules.maxImages} ${noun}, the dataset has ${media}`);
  if (rules.captions === 'required' && !pairsOnly && report.pairs < media) issues.push(`${trainer.name} needs a caption for every file, ${media - report.pairs} have none`);
  return issues;
}

export const IMAGE_FORMATS = ['jpg', 'jpeg', 'png', 'webp'];
export const VIDEO_FORMATS = ['mp4', 'mov', 'webm', 'avi', 'mkv'];

/** A job may only start from a READY version that fits the trainer. */
export function ensureTrainable(dataset: Dataset, version: DatasetVersion, trainer: Trainer): void {
  if (version.status !== 'READY' || !version.report) {
    const state = version.status === 'INVALID' ? 'failed validation' : 'is not validated yet';
    throw new Conflict('DATASET_NOT_READY', `Version ${version.version} of dataset ${dataset.name} ${state}. Pick a READY version or upload a new one.`);
  }
  const issues = fitIssues(version.report, trainer);
  if (issues.length > 0) {
    throw new Conflict('DATASET_UNFIT', `Version ${version.version} of dataset ${dataset.name} does not fit: ${issues.join('; ')}.`);
  }
}

/** The declared upload size must fit under the configured ceiling. */
export function checkUploadSize(sizeBytes: number, maxBytes: number): void {
  if (sizeBytes > maxBytes) {
    throw new TooLarge('UPLOAD_TOO_LARGE', `The file is ${sizeBytes} bytes; uploads are limited to ${maxBytes} bytes.`, [
      { field: 'sizeBytes', message: `At most ${maxBytes} bytes.` },
    ]);
  }
}

/** Most job ids a version records in `jobIds` (oldest first); later jobs are still listed by GET /jobs. */
export const VERSION_JOB_IDS_MAX = 500;
