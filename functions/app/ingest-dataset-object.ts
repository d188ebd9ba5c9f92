// From an S3 ObjectCreated record to a decided dataset version, safely under at-least-once, out-of-order
// delivery:
//  1. the object's identity (key, ETag, sequencer) is claimed once with a conditional put (a "marker"); the
//     claim maps the object to exactly one version (a presigned upload's own version, or a new one);
//  2. the version moves UPLOADING → VALIDATING under a lease, and the verdict is written for that ETag only
//     (validate-dataset-version.ts);
//  3. a direct upload's sidecar starts its training once the zip is READY (auto-start-job.ts).
// A direct (incoming/) object counts for the owner its key names only when S3 recorded that owner's upload
// session as its writer (domain/upload-credentials.ts); anything else makes no version.
import { objectId, parseDatasetKey, parseIncomingKey } from '#domain/datasets';
import { attributeIncoming } from '#domain/upload-credentials';
import { config } from '#adapters/config';
import { claimObject, getObjectMarker, setObjectVersion, takeOverObject } from '#adapters/dataset-object-claims';
import { headObject } from '#adapters/dataset-objects';
import { logger } from '#adapters/logger';
import { allocateVersion } from './allocate-version';
import { sidecarArrived } from './auto-start-job';
import { validateVersion, type Outcome, type UploadedObject } from './validate-dataset-version';

/** A claim that recorded no version after this long belongs to a crashed invocation and may be taken over. */
const MARKER_TAKEOVER_MS = 60_000;

/**
 * Ingests an S3 event's objects in turn. Each version's lease outlives this invocation (`remainingMs`, when
 * known) by a margin, so a crashed run's version is re-claimable by the retry.
 */
export async function ingestObjects(objects: readonly UploadedObject[], remainingMs: number | undefined): Promise<void> {
  const leaseMs = (remainingMs ?? 300_000) + 5_000;
  for (const object of objects) logger.info('Ingested an object', { key: object.key, outcome: await ingestObject(object, leaseMs) });
}

async function ingestObject(object: UploadedObject, leaseMs: number, now = () => new Date()): Promise<Outcome> {
  const incoming = parseIncomingKey(object.key);
  if (incoming) {
    const attribution = attributeIncoming(incoming.owner, object.writer, config.uploadRoleId ?? undefined);
    if (!attribution.attributed) {
      logger.warn('Refused a direct upload: its writer is not the owner its key names', { key: object.key, owner: incoming.owner, writer: object.writer, reason: attribution.reason });
      return 'refused';
    }
  }
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
  const head = await headObject(object.bucket, object.key);
  if (head?.versionCopy) return 'ignored'; // a version's own copy, made on validation
  if (!head || (object.eTag && object.eTag.replace(/"/g, '') !== head.eTag)) {
    logger.info('Stale event: the object was replaced or removed since', { key: object.key });
    return 'stale';
  }
  const { eTag } = head;
  const size = head.size ?? object.size ?? 0;
  const sequencer = object.sequencer ?? head.lastModified?.getTime().toString(16) ?? '0';

  const { owner, datasetId, fileName } = (incoming ?? presigned)!;
  const id = objectId(object.key, eTag, sequencer);
  const version = await versionForObject(owner, datasetId, id, object.key, fileName, size, presigned?.version, now());
  if (version === null) return 'duplicate';
  return validateVersion(object, { owner, datasetId, version, direct: Boolean(incoming) }, eTag, size, leaseMs, now);
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
