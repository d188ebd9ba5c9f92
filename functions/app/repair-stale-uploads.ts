// Dataset versions stuck UPLOADING (a file that never came, a derive that died) end INVALID with a finding
// saying what to do, so no version shows "uploading" forever.
import { rejectedReport } from '#domain/dataset-validation';
import { type StaleUploadLimits, staleUploadFinding } from '#domain/stale-uploads';
import { logger } from '#adapters/logger';
import { failStaleUpload, listUploadingVersions } from '#adapters/stale-uploads';

/** How many versions were failed. */
export async function repairStaleUploads(limits: StaleUploadLimits, now: Date): Promise<number> {
  let failed = 0;
  for (const version of await listUploadingVersions()) {
    const finding = staleUploadFinding(version, now, limits);
    if (!finding) continue;
    if (await failStaleUpload(version, rejectedReport(finding.code, finding.message), now)) {
      failed += 1;
      logger.info('Failed a version stuck uploading', { datasetId: version.datasetId, version: version.version, code: finding.code });
    }
  }
  return failed;
}
