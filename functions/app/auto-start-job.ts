// A direct upload's sidecar (`<zip>.train.json`) starts its training once the zip is READY, once per version,
// through the same startJob as POST /jobs.
import { objectIdPrefix, SIDECAR_SUFFIX } from '#domain/datasets';
import { isDomainError } from '#domain/errors';
import type { DatasetVersion } from '#domain/schemas';
import { readSidecar, sidecarTooLarge } from '#domain/sidecar';
import { findObjectMarker } from '#adapters/dataset-object-claims';
import { objectETag, readSmallText } from '#adapters/dataset-objects';
import { getStoredVersion, recordAutoStart } from '#adapters/dataset-store';
import { logger } from '#adapters/logger';
import { startJob } from './start-job';

const SIDECAR_MAX_BYTES = 64 * 1024;

/** A sidecar arrived: if its zip is already READY, start the job now (else the zip's validation will). */
export async function sidecarArrived(bucket: string, owner: string, datasetId: string, zipKey: string): Promise<void> {
  const eTag = await objectETag(bucket, zipKey);
  if (!eTag) return;
  const marker = await findObjectMarker(owner, datasetId, objectIdPrefix(zipKey, eTag));
  if (marker?.version === undefined) return;
  const version = await getStoredVersion(owner, datasetId, marker.version);
  if (version?.status === 'READY') await autoStartIfAsked(bucket, zipKey, owner, datasetId, marker.version, version);
}

/**
 * Starts the sidecar's job once per version (the idempotency key is the version), records the job or the
 * reason it could not start on the version. Transient failures throw, so the event is retried.
 */
export async function autoStartIfAsked(bucket: string, zipKey: string, owner: string, datasetId: string, version: number, current: Pick<DatasetVersion, 'autoStart'>): Promise<void> {
  if (current.autoStart?.jobId || current.autoStart?.error) return;
  const key = `${zipKey}${SIDECAR_SUFFIX}`;
  const text = await readSmallText(bucket, key, SIDECAR_MAX_BYTES);
  if (text === null) return;
  const sidecar = text === 'too-large' ? sidecarTooLarge(key, SIDECAR_MAX_BYTES) : readSidecar(key, text);
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
