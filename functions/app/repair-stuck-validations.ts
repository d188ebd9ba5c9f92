// Dataset versions left VALIDATING by a validator that died after S3's retries of its event were over end
// INVALID with a message, so no upload waits forever.
import { rejectedReport } from '#domain/dataset-validation';
import { logger } from '#adapters/logger';
import { failStuckValidation, listStuckValidations } from '#adapters/validation-lease';

/** How many versions were failed; `graceSeconds` is how long past its lease a validation counts as stuck. */
export async function repairStuckValidations(graceSeconds: number, now: Date): Promise<number> {
  let failed = 0;
  const before = now.getTime() - graceSeconds * 1000;
  for (const { owner, datasetId, version } of await listStuckValidations(before)) {
    const report = rejectedReport('VALIDATION_INTERRUPTED',
      'Checking this upload stopped before it finished (the validator crashed or timed out and no retry came). Upload the archive again.');
    if (await failStuckValidation(owner, datasetId, version, before, { report }, now)) {
      failed += 1;
      logger.info('Failed a validation that never finished', { datasetId, version });
    }
  }
  return failed;
}
