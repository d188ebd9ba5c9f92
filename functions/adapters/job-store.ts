// Job records. Every status change is a conditional write on the record the caller saw (its status and when it
// last changed), so two writers (the API's cancel and the workflow's poll) can never both win, a writer never
// puts back what another wrote meanwhile (progress a poll just saved, say), and a finished job never changes.
// Creating a job (once per idempotency key) and the workflow's own marks are beside this file.
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { Conflict, Invalid } from '#domain/errors';
import { canTransition, isTerminal, type JobRecord } from '#domain/job-lifecycle';
import type { JobStatus } from '#domain/schemas';
import { ddb, decodeCursor, encodeCursor, isConditionFailed, keys, tableName, updateParts, withoutKeys } from './table';

export const jobItem = (job: JobRecord) => ({
  PK: keys.owner(job.owner),
  SK: keys.job(job.id),
  GSI1PK: keys.job(job.id),
  GSI1SK: 'JOB',
  type: 'Job',
  ...job,
});

/** A raw table item (from a read or a stream image) as a job record. */
export const toJobRecord = (item: Record<string, unknown>): JobRecord => withoutKeys<JobRecord>(item);

export async function getJob(owner: string, jobId: string): Promise<JobRecord | null> {
  const { Item } = await ddb().send(new GetCommand({ TableName: tableName(), Key: { PK: keys.owner(owner), SK: keys.job(jobId) }, ConsistentRead: true }));
  return Item ? toJobRecord(Item) : null;
}

export interface JobPage {
  jobs: JobRecord[];
  cursor?: string;
}

const MAX_PAGES = 10;

/**
 * Whether a decoded cursor is a key this listing hands out: exactly the table key (PK, SK) of one of the
 * owner's jobs. DynamoDB answers any other shape (SK a number, SK missing, an index attribute, another
 * partition) with a ValidationException, which would otherwise surface as a 500.
 */
export function isJobPageKey(key: Record<string, unknown> | undefined, owner: string): key is { PK: string; SK: string } {
  if (!key) return false;
  const names = Object.keys(key);
  const { PK, SK } = key;
  return names.length === 2 && PK === keys.owner(owner) && typeof SK === 'string' && SK.startsWith(keys.job(''))
    && SK.length > keys.job('').length && Buffer.byteLength(SK) <= 1024;
}

/** Newest first (ULID sort keys, read backwards); the status filter may need several pages to fill `limit`. */
export async function listJobs(owner: string, options: { status?: JobStatus; limit: number; cursor?: string }): Promise<JobPage> {
  let startKey = decodeCursor(options.cursor);
  if (options.cursor && !isJobPageKey(startKey, owner)) {
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
 * Writes `next` over `current` provided the stored record is still `current`: same status, same `updatedAt`
 * (every write of a job's status, progress or remote job sets it), and no submit started meanwhile. The
 * record the caller decided on is the record it changes, so the fields `next` carries over from `current`
 * (its progress, for one) are never older than what is stored. A lost race surfaces as a Conflict, which
 * `updateJob` answers by deciding again on a fresh read.
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
  const movesProgress = 'progress' in changed && typeof next.progress.fraction === 'number';
  const { names, values, expression } = updateParts({ ...changed, ...Object.fromEntries(removed.map((f) => [f, undefined])), status: next.status });
  try {
    const { Attributes } = await ddb().send(new UpdateCommand({
      TableName: tableName(),
      Key: { PK: keys.owner(current.owner), SK: keys.job(current.id) },
      UpdateExpression: expression,
      // Any write since the caller's read (a poll's progress, say) changed updatedAt: without that check, the
      // progress `next` carries over from `current` would put an older step back. The decision also rested on
      // whether the job had reached the trainer (a cancel ends a job at once only before that), and the note
      // that a submit starts does not touch updatedAt: a submit recorded meanwhile makes the record stale too.
      ConditionExpression: [
        '#current = :current',
        current.updatedAt === undefined ? 'attribute_not_exists(#seenAt)' : '#seenAt = :seenAt',
        ...(current.remote ? [] : ['attribute_not_exists(#remote)']),
        ...(current.submittingAt ? [] : ['attribute_not_exists(#submitting)']),
        // And, whatever the clocks say, progress written here never lowers the stored fraction (as a poll's).
        ...(movesProgress ? ['(attribute_not_exists(progress.fraction) OR progress.fraction <= :fraction)'] : []),
      ].join(' AND '),
      ExpressionAttributeNames: {
        ...names, '#current': 'status', '#seenAt': 'updatedAt',
        ...(current.remote ? {} : { '#remote': 'remote' }), ...(current.submittingAt ? {} : { '#submitting': 'submittingAt' }),
      },
      ExpressionAttributeValues: {
        ...values, ':current': current.status,
        ...(current.updatedAt === undefined ? {} : { ':seenAt': current.updatedAt }),
        ...(movesProgress ? { ':fraction': next.progress.fraction } : {}),
      },
      ReturnValues: 'ALL_NEW',
    }));
    return Attributes ? toJobRecord(Attributes) : next;
  } catch (error) {
    if (isConditionFailed(error)) throw new Conflict('JOB_STATE_CHANGED', `Job ${current.id} changed while this request ran; fetch it again.`);
    throw error;
  }
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
