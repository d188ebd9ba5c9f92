// The reconciler's decision for one job: leave it to its workflow, resume it with a new workflow (which
// polls the same remote job, or submits a job whose only workflow was lost before reaching the trainer),
// end a cancel that never reached the trainer, or fail it with a reason. Pure: the caller reads the job
// and its execution, and acts on the answer.
import type { JobRecord } from './job-lifecycle';
import { isTerminal } from './job-lifecycle';
import { describeSeconds, pastDeadline } from './training-state';

/** A Step Functions execution status, or MISSING when there is no execution of that name (DescribeExecution's ExecutionDoesNotExist). */
export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED' | 'MISSING';

/** A job record; the reconciler reads and writes its `workflowRestarts` and `reconciledAt`. */
export type ReconcilableJob = JobRecord;

export interface ReconcileLimits {
  /** A running workflow that has not touched its job for this long is presumed stuck. */
  silentSeconds: number;
  /** The training deadline (MAX_DURATION_SECONDS). */
  maxDurationSeconds: number;
  /** Restarts allowed before the job is failed. */
  maxRestarts: number;
  /** Jobs younger than this are left alone: their first StartExecution may still be on its way. */
  startGraceSeconds: number;
}

export type Reconciliation =
  | { action: 'leave'; reason: string }
  | { action: 'resume'; reason: string; stopCurrent: boolean; executionName: string }
  | { action: 'cancel'; reason: string }
  | { action: 'fail'; reason: string; error: { Error: string; Cause: string } };

/** The name of the job's current execution: the job id, then `${jobId}-r${n}` after the n-th restart. */
export const executionName = (job: Pick<ReconcilableJob, 'id' | 'workflowRestarts'>): string =>
  job.workflowRestarts ? `${job.id}-r${job.workflowRestarts}` : job.id;

const ageSeconds = (iso: string | undefined, now: Date) => {
  const at = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(at) ? (now.getTime() - at) / 1000 : Infinity;
};

export function reconcile(job: ReconcilableJob, execution: ExecutionStatus, now: Date, limits: ReconcileLimits): Reconciliation {
  if (isTerminal(job.status)) return { action: 'leave', reason: `the job is ${job.status}` };
  if (ageSeconds(job.createdAt, now) < limits.startGraceSeconds) return { action: 'leave', reason: 'the job was just created' };

  const lastSign = Math.min(ageSeconds(job.updatedAt, now), ageSeconds(job.reconciledAt, now));
  const restarts = job.workflowRestarts ?? 0;
  const next = executionName({ id: job.id, workflowRestarts: restarts + 1 });

  if (execution === 'RUNNING') {
    if (lastSign <= limits.silentSeconds) return { action: 'leave', reason: 'its workflow is running' };
    if (restarts >= limits.maxRestarts) return giveUp(restarts);
    return { action: 'resume', reason: `its workflow has been silent for ${describeSeconds(Math.round(lastSign))}`, stopCurrent: true, executionName: next };
  }

  const gone = execution === 'MISSING' ? 'its workflow is gone' : `its workflow ended ${execution}`;
  // Cancelled before it reached the trainer, and no workflow left to finish it.
  if (job.status === 'CANCELLING' && !job.remote) return { action: 'cancel', reason: `${gone} before submission; the cancel completes` };
  if (!job.remote && pastDeadline(job.createdAt, now, limits.maxDurationSeconds)) {
    return {
      action: 'fail', reason: `${gone} and its deadline passed`,
      error: { Error: 'TrainingTimedOut', Cause: `The job never reached the trainer within ${describeSeconds(limits.maxDurationSeconds)}.` },
    };
  }
  if (restarts >= limits.maxRestarts) return giveUp(restarts);
  // With `remote` the new workflow's Submit skips the provider and polls the same remote job (a deadline
  // that passed meanwhile is then enforced by Poll, which cancels the remote job); without it, nothing
  // reached the trainer and Submit submits it now.
  return { action: 'resume', reason: `${gone}; ${job.remote ? 'resuming the remote job' : 'submitting it'}`, stopCurrent: false, executionName: next };
}

function giveUp(restarts: number): Reconciliation {
  return {
    action: 'fail', reason: `its workflow was restarted ${restarts} times`,
    error: { Error: 'WorkflowLost', Cause: `The workflow following this job stopped ${restarts + 1} times.` },
  };
}
