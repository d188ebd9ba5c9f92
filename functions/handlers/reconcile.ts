// reconcile (scheduled every few minutes in AWS, run once at local-cloud start): finds unfinished jobs whose
// workflow is gone or silent too long and resumes them with a new workflow (which polls the same remote job,
// never submitting twice), ends cancels that never reached the trainer, or fails them with a reason.
import { config } from '../adapters/config';
import { failStuckValidation, listStuckValidations } from '../adapters/dataset-store';
import { listUnfinishedJobs, markWorkflowRestart, updateJob } from '../adapters/job-store';
import { logger } from '../adapters/logger';
import { providerFor } from '../adapters/trainers';
import { executionStatus, startTraining, stopExecution } from '../adapters/workflow';
import { rejectedReport } from '../domain/dataset-validation';
import { failureFrom } from '../domain/job-failures';
import { cancelled, fail, isTerminal, type JobRecord } from '../domain/job-lifecycle';
import { executionName, reconcile, type Reconciliation } from '../domain/reconcile';

export interface ReconcileEvent {
  /** Jobs younger than this are left alone (their first StartExecution may be in flight). @default 120 */
  startGraceSeconds?: number;
  /**
   * A VALIDATING version whose lease ran out longer ago than this is failed: S3's retries of its event are over.
   * @default 1800
   */
  validationGraceSeconds?: number;
}

export interface ReconcileReport {
  checked: number;
  resumed: number;
  cancelled: number;
  failed: number;
  /** Dataset versions left VALIDATING by a validator that died, now INVALID with a message. */
  validationsFailed: number;
}


async function failStuckValidations(graceSeconds: number, now: Date): Promise<number> {
  let failed = 0;
  for (const { owner, datasetId, version } of await listStuckValidations(now.getTime() - graceSeconds * 1000)) {
    const report = rejectedReport('VALIDATION_INTERRUPTED',
      'Checking this upload stopped before it finished (the validator crashed or timed out and no retry came). Upload the archive again.');
    if (await failStuckValidation(owner, datasetId, version, now.getTime() - graceSeconds * 1000, { report }, now)) {
      failed += 1;
      logger.info('Failed a validation that never finished', { datasetId, version });
    }
  }
  return failed;
}

async function act(job: JobRecord, decision: Reconciliation, now: Date): Promise<'resumed' | 'cancelled' | 'failed' | null> {
  switch (decision.action) {
    case 'leave':
      return null;
    case 'cancel':
      await updateJob(job, (current) => (isTerminal(current.status) ? null : cancelled(current, now)));
      return 'cancelled';
    case 'fail': {
      if (job.remote) {
        const remote = job.remote;
        await providerFor(remote).then((provider) => provider.cancel(remote))
          .catch((error: unknown) => logger.warn('Best-effort cancel at the trainer failed', { error: String(error) }));
      }
      await updateJob(job, (current) => (isTerminal(current.status) ? null : fail(current, failureFrom(decision.error), now)));
      return 'failed';
    }
    case 'resume': {
      const marked = await markWorkflowRestart(job, now);
      if (!marked) return null; // another writer moved the job on; the next run looks again
      if (decision.stopCurrent) await stopExecution(executionName(job), decision.reason);
      await startTraining(job.id, job.owner, executionName(marked));
      return 'resumed';
    }
  }
}

export const handler = async (event: ReconcileEvent = {}): Promise<ReconcileReport> => {
  logger.resetKeys();
  const now = new Date();
  const limits = {
    silentSeconds: config.reconcileSilentSeconds,
    maxDurationSeconds: config.maxDurationSeconds,
    maxRestarts: config.maxWorkflowRestarts,
    startGraceSeconds: typeof event?.startGraceSeconds === 'number' ? event.startGraceSeconds : 120,
  };
  const report: ReconcileReport = { checked: 0, resumed: 0, cancelled: 0, failed: 0, validationsFailed: 0 };
  const jobs = await listUnfinishedJobs();
  // A few at a time: each job costs a DescribeExecution and maybe a write and a StartExecution.
  for (let i = 0; i < jobs.length; i += 10) {
    await Promise.all(jobs.slice(i, i + 10).map(async (job) => {
      report.checked += 1;
      try {
        const decision = reconcile(job, await executionStatus(executionName(job)), now, limits);
        const done = await act(job, decision, now);
        if (done) {
          report[done] += 1;
          logger.info('Reconciled a job', { jobId: job.id, action: decision.action, reason: decision.reason });
        }
      } catch (error) {
        logger.error('Could not reconcile a job', { jobId: job.id, error: String(error) });
      }
    }));
  }
  report.validationsFailed = await failStuckValidations(
    typeof event?.validationGraceSeconds === 'number' ? event.validationGraceSeconds : 1800, now,
  ).catch((error: unknown) => {
    logger.error('Could not repair stuck validations', { error: String(error) });
    return 0;
  });
  return report;
};
