// What the training workflow and the reconciler keep on a job besides its status: progress, the note that a
// submit starts, where the job runs at the trainer, a workflow restart (each conditional on what its caller
// saw, none touching a finished job); and the unfinished jobs the reconciler looks at.
import type { JobRecord } from '#domain/job-lifecycle';
import type { JobHistoryPoint, Progress } from '#domain/schemas';
import { toJobRecord } from './job-store';
import { allItems, conditionalUpdate, keys, tableName } from './table';

/** A progress update (with the history it adds to) that never moves the fraction backwards and never touches a finished job. */
export async function saveProgress(job: JobRecord, progress: Progress, at: Date, history?: JobHistoryPoint[]): Promise<boolean> {
  const written = await conditionalUpdate({
    Key: { PK: keys.owner(job.owner), SK: keys.job(job.id) },
    UpdateExpression: `SET progress = :progress, updatedAt = :at${history ? ', history = :history' : ''}`,
    ConditionExpression: '#status IN (:q, :r, :c) AND (attribute_not_exists(progress.fraction) OR progress.fraction <= :fraction)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':progress': progress, ':at': at.toISOString(), ...(history ? { ':history': history } : {}), ':fraction': progress.fraction, ':q': 'QUEUED', ':r': 'RUNNING', ':c': 'CANCELLING' },
  });
  return written !== null;
}

/**
 * Jobs not yet finished, for the reconciler. A Scan with a filter: the reconciler runs every few minutes and
 * reads every job once (a sparse index of unfinished jobs would replace it when the table grows large).
 */
export async function listUnfinishedJobs(): Promise<JobRecord[]> {
  const items = await allItems('scan', {
    TableName: tableName(),
    FilterExpression: '#type = :job AND #status IN (:q, :r, :c)',
    ExpressionAttributeNames: { '#type': 'type', '#status': 'status' },
    ExpressionAttributeValues: { ':job': 'Job', ':q': 'QUEUED', ':r': 'RUNNING', ':c': 'CANCELLING' },
    ConsistentRead: true,
  });
  return items.map(toJobRecord);
}

/**
 * Counts a workflow restart, conditional on the status and the restart count the reconciler saw, so two
 * reconcilers never both start a workflow for the same job. False when another writer got there first.
 */
export async function markWorkflowRestart(job: JobRecord, at: Date): Promise<JobRecord | null> {
  const previous = job.workflowRestarts;
  const written = await conditionalUpdate({
    Key: { PK: keys.owner(job.owner), SK: keys.job(job.id) },
    UpdateExpression: 'SET workflowRestarts = :n, reconciledAt = :at',
    ConditionExpression: `#status = :status AND ${previous === undefined ? 'attribute_not_exists(workflowRestarts)' : 'workflowRestarts = :previous'}`,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: {
      ':n': (previous ?? 0) + 1, ':at': at.toISOString(), ':status': job.status, ...(previous === undefined ? {} : { ':previous': previous }),
    },
    ReturnValues: 'ALL_NEW',
  });
  if (!written) return null;
  return written.Attributes ? toJobRecord(written.Attributes) : { ...job, workflowRestarts: (previous ?? 0) + 1, reconciledAt: at.toISOString() };
}

/** Notes that a submit to the trainer is starting; null when the job was cancelled (or finished) first. */
export async function markSubmitting(job: JobRecord, at: Date): Promise<JobRecord | null> {
  const written = await conditionalUpdate({
    Key: { PK: keys.owner(job.owner), SK: keys.job(job.id) },
    UpdateExpression: 'SET submittingAt = :at',
    ConditionExpression: '#status = :q AND attribute_not_exists(remote)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':at': at.toISOString(), ':q': 'QUEUED' },
    ReturnValues: 'ALL_NEW',
  });
  if (!written) return null;
  return written.Attributes ? toJobRecord(written.Attributes) : { ...job, submittingAt: at.toISOString() };
}

/** Records where the job runs at the trainer; null when the job already finished (cancelled meanwhile) or another submit won. */
export async function attachRemote(job: JobRecord, remote: NonNullable<JobRecord['remote']>, at: Date): Promise<JobRecord | null> {
  const written = await conditionalUpdate({
    Key: { PK: keys.owner(job.owner), SK: keys.job(job.id) },
    UpdateExpression: 'SET remote = :remote, updatedAt = :at',
    // Only the first submit wins: a second workflow's submit (a restart racing the first) cancels its own.
    ConditionExpression: '#status IN (:q, :r, :c) AND attribute_not_exists(remote)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':remote': remote, ':at': at.toISOString(), ':q': 'QUEUED', ':r': 'RUNNING', ':c': 'CANCELLING' },
    ReturnValues: 'ALL_NEW',
  });
  if (!written) return null;
  return written.Attributes ? toJobRecord(written.Attributes) : { ...job, remote };
}
