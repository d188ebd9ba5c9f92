// Carrying out the reconciler's decision for one job (domain/reconcile.ts decides): end a cancel that never
// reached the trainer, fail the job, or resume it with a new workflow, counted so two reconcilers never both do.
import { failureFrom } from '#domain/job-failures';
import { cancelled, type JobRecord } from '#domain/job-lifecycle';
import { executionName, type Reconciliation } from '#domain/reconcile';
import { markWorkflowRestart } from '#adapters/job-workflow-marks';
import { startTraining, stopExecution } from '#adapters/workflow';
import { failJob } from './fail-job';
import { finishJob } from './finish-job';

type ReconcileAction = 'resumed' | 'cancelled' | 'failed';

/** What was done, or null when nothing was (left alone, or another writer moved the job on). */
export async function actOn(job: JobRecord, decision: Reconciliation, now: Date): Promise<ReconcileAction | null> {
  switch (decision.action) {
    case 'leave':
      return null;
    case 'cancel':
      await finishJob(job, (current) => cancelled(current, now));
      return 'cancelled';
    case 'fail':
      await failJob(job, failureFrom(decision.error), now);
      return 'failed';
    case 'resume': {
      const marked = await markWorkflowRestart(job, now);
      if (!marked) return null; // another writer moved the job on; the next run looks again
      if (decision.stopCurrent) await stopExecution(executionName(job), decision.reason);
      await startTraining(job.id, job.owner, executionName(marked));
      return 'resumed';
    }
  }
}
