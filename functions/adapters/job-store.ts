// Job records. Every status change is a conditional write on the status the caller saw, so two writers
// (the API's cancel and the workflow's poll) can never both win, and a finished job never changes.
import { GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict, Invalid } from '../domain/errors';
import { canTransition, isTerminal, transition, type JobRecord } from '../domain/job-lifecycle';
import type { JobStatus, Progress } from '../domain/schemas';
import { allItems, conditionalUpdate, ddb, decodeCursor, encodeCursor, isConditionFailed, keys, tableName, updateParts, withoutKeys } from './table';

const jobItem = (job: JobRecord) => ({
  PK: keys.owner(job.owner),
  SK: keys.job(job.id),
  GSI1PK: keys.job(job.id),
  GSI1SK: 'JOB',
  type: 'Job',
  ...job,
});

/** A raw table item (from a read or a stream image) as a job record. */
export const toJobRecord = (item: Record<string, unknown>): JobRecord => withoutKeys<JobRecord>(item);

export async function createJob(job: JobRecord): Promise<void> {
  await ddb().send(new PutCommand({ TableName: tableName(), Item: jobItem(job), ConditionExpression: 'attribute_not_exists(PK)' }));
}

export interface IdempotencyClaim {
  key: string;
  bodyHash: string;
  ttlSeconds: number;
}

export type CreateOutcome = { created: true } | { created: false; jobId: string; bodyHash: string };

/**
 * Writes the job and its idempotency record in one transaction: either both exist or neither, so a retry
 * with the same key always finds the job it created.
 */
export async function createJobOnce(job: JobRecord, claim: IdempotencyClaim, at: Date): Promise<CreateOutcome> {
  const idempotencyKey = { PK: keys.owner(job.owner), SK: keys.idempotency(claim.key) };
  try {
    await ddb().send(new TransactWriteCommand({
      TransactItems: [
        {
          Put: {
            TableName: tableName(),
            Item: {
              ...idempotencyKey, type: 'Idempotency', owner: job.owner, jobId: job.id, bodyHash: claim.bodyHash,
              expiresAt: Math.floor(at.getTime() / 1000) + claim.ttlSeconds,
            },
            // An expired record still present (TTL deletion lags) counts as absent.
            ConditionExpression: 'attribute_not_exists(PK) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': Math.floor(at.getTime() / 1000) },
          },
        },
        { Put: { TableName: tableName(), Item: jobItem(job), ConditionExpression: 'attribute_not_exists(PK)' } },
      ],
    }));
    return { created: true };
  } catch (error) {
    if (!(error instanceof Error) || error.name !== 'TransactionCanceledException') throw error;
    const existing = await ddb().send(new GetCommand({ TableName: tableName(), Key: idempotencyKey, ConsistentRead: true }));
    if (!existing.Item) throw error;
    return { created: false, jobId: String(existing.Item.jobId), bodyHash: String(existing.Item.bodyHash) };
  }
}

/** The idempotency record of `key` (the job it created and the hash of the request that did), null when none. */
export async function getIdempotencyRecord(owner: string, key: string): Promise<{ jobId: string; bodyHash: string; expiresAt: number } | null> {
  const { Item } = await ddb().send(new GetCommand({ TableName: tableName(), Key: { PK: keys.owner(owner), SK: keys.idempotency(key) }, ConsistentRead: true }));
  return Item ? { jobId: String(Item.jobId), bodyHash: String(Item.bodyHash), expiresAt: Number(Item.expiresAt) } : null;
}

export async function getJob(owner: string, jobId: string): Promise<JobRecord | null> {
  const { Item } = await ddb().send(new GetCommand({ TableName: tableName(), Key: { PK: keys.owner(owner), SK: keys.job(jobId) }, ConsistentRead: true }));
  return Item ? toJobRecord(Item) : null;
}

/** Looks a job up by id alone (the workflow and the reconciler know no owner key), through GSI1. */
export async function getJobById(jobId: string): Promise<JobRecord | null> {
  const { Items } = await ddb().send(new QueryCommand({
    TableName: tableName(),
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :pk AND GSI1SK = :sk',
    ExpressionAttributeValues: { ':pk': keys.job(jobId), ':sk': 'JOB' },
    Limit: 1,
  }));
  const item = Items?.[0];
  return item ? toJobRecord(item) : null;
}

export interface JobPage {
  jobs: JobRecord[];
  cursor?: string;
}

const MAX_PAGES = 10;

/** Newest first (ULID sort keys, read backwards); the status filter may need several pages to fill `limit`. */
export async function listJobs(owner: string, options: { status?: JobStatus; limit: number; cursor?: string }): Promise<JobPage> {
  let startKey = decodeCursor(options.cursor);
  if (options.cursor && (!startKey || startKey.PK !== keys.owner(owner))) {
    throw new Invalid('BAD_CURSOR', 'The cursor is not one this API issued; start the listing again without it.', [{ field: 'cursor', message: 'Unknown cursor.' }]);
  }
  const jobs: JobRecord[] = [];
  for (let page = 0; page < MAX_PAGES && jobs.length < options.limit; page++) {
    // Limit counts evaluated items, so asking for what is missing never returns more than fits.
    const result = await ddb().send(new QueryCommand({
      TableName: tableName(),
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :job)',
      ScanIndexForward: false,
      Limit: options.limit - jobs.length,
      ExclusiveStartKey: startKey,
      ...(options.status
        ? { FilterExpression: '#status = :status', ExpressionAttributeNames: { '#status': 'status' } }
        : {}),
      ExpressionAttributeValues: { ':pk': keys.owner(owner), ':job': 'JOB#', ...(options.status ? { ':status': options.status } : {}) },
    }));
    jobs.push(...(result.Items ?? []).map(toJobRecord));
    startKey = result.LastEvaluatedKey;
    if (!startKey) break;
  }
  return { jobs, cursor: encodeCursor(startKey) };
}

const PROTECTED = new Set(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'type', 'owner', 'id', 'status']);

/**
 * Writes `next` over `current` provided the stored status is still `current.status`: the record the caller
 * decided on is the record it changes. A lost race surfaces as a Conflict.
 */
export async function saveJob(current: JobRecord, next: JobRecord): Promise<JobRecord> {
  if (current.status !== next.status && !canTransition(current.status, next.status)) {
    throw new Conflict('JOB_STATE', `Job ${current.id} is ${current.status.toLowerCase()} and cannot become ${next.status.toLowerCase()}.`);
  }
  if (isTerminal(current.status)) throw new Conflict('JOB_FINISHED', `Job ${current.id} already ${current.status.toLowerCase()}.`);
  const changed = Object.fromEntries(
    Object.entries(next).filter(([field, value]) => !PROTECTED.has(field) && JSON.stringify(value) !== JSON.stringify((current as Record<string, unknown>)[field])),
  );
  const removed = Object.keys(current).filter((field) => !PROTECTED.has(field) && !(field in next));
  const { names, values, expression } = updateParts({ ...changed, ...Object.fromEntries(removed.map((f) => [f, undefined])), status: next.status });
  try {
    const { Attributes } = await ddb().send(new UpdateCommand({
      TableName: tableName(),
      Key: { PK: keys.owner(current.owner), SK: keys.job(current.id) },
      UpdateExpression: expression,
      // The decision also rested on whether the job had reached the trainer (a cancel ends a job at once only
      // before that): a submit recorded meanwhile makes the record the caller saw stale.
      ConditionExpression: [
        '#current = :current',
        ...(current.remote ? [] : ['attribute_not_exists(#remote)']),
        ...(current.submittingAt ? [] : ['attribute_not_exists(#submitting)']),
      ].join(' AND '),
      ExpressionAttributeNames: {
        ...names, '#current': 'status', ...(current.remote ? {} : { '#remote': 'remote' }), ...(current.submittingAt ? {} : { '#submitting': 'submittingAt' }),
      },
      ExpressionAttributeValues: { ...values, ':current': current.status },
      ReturnValues: 'ALL_NEW',
    }));
    return Attributes ? toJobRecord(Attributes) : next;
  } catch (error) {
    if (isConditionFailed(error)) throw new Conflict('JOB_STATE_CHANGED', `Job ${current.id} changed while this request ran; fetch it again.`);
    throw error;
  }
}

/** A progress update that never moves the fraction backwards and never touches a finished job. */
export async function saveProgress(job: JobRecord, progress: Progress, at: Date): Promise<boolean> {
  const written = await conditionalUpdate({
    Key: { PK: keys.owner(job.owner), SK: keys.job(job.id) },
    UpdateExpression: 'SET progress = :progress, updatedAt = :at',
    ConditionExpression: '#status IN (:q, :r, :c) AND (attribute_not_exists(progress.fraction) OR progress.fraction <= :fraction)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':progress': progress, ':at': at.toISOString(), ':fraction': progress.fraction, ':q': 'QUEUED', ':r': 'RUNNING', ':c': 'CANCELLING' },
  });
  return written !== null;
}

/** Moves a job along the lifecycle table and stores it, conditional on the status it had. */
export async function transitionJob(job: JobRecord, to: JobStatus, patch: Partial<JobRecord> = {}, at = new Date()): Promise<JobRecord> {
  return saveJob(job, transition(job, to, at, patch));
}

/**
 * Applies `change` to the freshest record, re-reading when another writer got there first. `change` returns
 * null when there is nothing to do (the job moved on, for instance it finished).
 */
export async function updateJob(job: JobRecord, change: (current: JobRecord) => JobRecord | null, attempts = 3): Promise<JobRecord> {
  let current = job;
  for (let attempt = 1; ; attempt++) {
    const next = change(current);
    if (!next || next === current) return current;
    try {
      return await saveJob(current, next);
    } catch (error) {
      if (!(error instanceof Conflict) || error.code !== 'JOB_STATE_CHANGED' || attempt >= attempts) throw error;
      const fresh = await getJob(current.owner, current.id);
      if (!fresh) throw error;
      current = fresh;
    }
  }
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
