// The reconciler's run (scheduled every few minutes in AWS, once at local-cloud start): unfinished jobs whose
// workflow is gone or silent too long are resumed with a new workflow (which polls the same remote job, never
// submitting twice), cancels that never reached the trainer end, hopeless jobs fail with a reason; and
// validations whose validator died, uploads whose file never came and derives that died are ended.
import { z } from 'zod';
import { executionName, reconcile } from '#domain/reconcile';
import { config } from '#adapters/config';
import { listUnfinishedJobs } from '#adapters/job-workflow-marks';
import { logger } from '#adapters/logger';
import { executionStatus } from '#adapters/workflow';
import { actOn } from './reconcile-job';
import { repairStaleUploads } from './repair-stale-uploads';
import { repairStuckValidations } from './repair-stuck-validations';

/** A number the event gives, or the default (a schedule's own event fields are ignored). */
const secondsOr = (fallback: number) => z.number().catch(fallback);

/** What a run is given: the numbers its event names, each defaulted. */
export const ReconcileEvent = z.preprocess((value) => (typeof value === 'object' && value !== null ? value : {}), z.object({
  /** Jobs younger than this are left alone (their first StartExecution may be in flight). */
  startGraceSeconds: secondsOr(120),
  /** A VALIDATING version whose lease ran out longer ago than this is failed: S3's retries of its event are over. */
  validationGraceSeconds: secondsOr(1800),
  /** An UPLOADING version this old with no file has stopped: its upload form expired 5 hours before. */
  uploadGraceSeconds: secondsOr(6 * 3600),
}));

type ReconcileOptions = z.output<typeof ReconcileEvent>;

export interface ReconcileReport {
  checked: number;
  resumed: number;
  cancelled: number;
  failed: number;
  /** Dataset versions left VALIDATING by a validator that died, now INVALID with a message. */
  validationsFailed: number;
  /** Dataset versions stuck UPLOADING (no file came, or their derive died), now INVALID with a message. */
  uploadsFailed: number;
}

export async function reconcileAll(options: ReconcileOptions, now = new Date()): Promise<ReconcileReport> {
  const limits = {
    silentSeconds: config.reconcileSilentSeconds,
    maxDurationSeconds: config.maxDurationSeconds,
    maxRestarts: config.maxWorkflowRestarts,
    startGraceSeconds: options.startGraceSeconds,
  };
  const report: ReconcileReport = { checked: 0, resumed: 0, cancelled: 0, failed: 0, validationsFailed: 0, uploadsFailed: 0 };
  const jobs = await listUnfinishedJobs();
  // A few at a time: each job costs a DescribeExecution and maybe a write and a StartExecution.
  for (let i = 0; i < jobs.length; i += 10) {
    await Promise.all(jobs.slice(i, i + 10).map(async (job) => {
      report.checked += 1;
      try {
        const decision = reconcile(job, await executionStatus(executionName(job)), now, limits);
        const done = await actOn(job, decision, now);
        if (done) {
          report[done] += 1;
          logger.info('Reconciled a job', { jobId: job.id, action: decision.action, reason: decision.reason });
        }
      } catch (error) {
        logger.error('Could not reconcile a job', { jobId: job.id, error: String(error) });
      }
    }));
  }
  report.validationsFailed = await repairStuckValidations(options.validationGraceSeconds, now).catch((error: unknown) => {
    logger.error('Could not repair stuck validations', { error: String(error) });
    return 0;
  });
  // A derive's claim gets the validation's grace: both are retried S3 events of one function.
  const uploadLimits = { uploadGraceSeconds: options.uploadGraceSeconds, deriveGraceSeconds: options.validationGraceSeconds };
  report.uploadsFailed = await repairStaleUploads(uploadLimits, now).catch((error: unknown) => {
    logger.error('Could not repair stale uploads', { error: String(error) });
    return 0;
  });
  return report;
}
