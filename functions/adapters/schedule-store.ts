// Schedules and their runs in the single table, under the owner's partition: a schedule at `SCHEDULE#{id}`
// (ids are ULIDs: listed newest first), its runs at `SRUN#{scheduleId}#{runId}` (run ids start with the scheduled
// time: newest first, paged with a cursor). A run is written once per id, so a firing delivered twice finds the
// run the first delivery wrote.
import { DeleteCommand, GetCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { Invalid } from '#domain/errors';
import type { ScheduleRecord, ScheduleRunRecord } from '#domain/schedules';
import { allItems, conditionalUpdate, ddb, decodeCursor, encodeCursor, isConditionFailed, keys, tableName, unlessConditionFails, updateParts, withoutKeys } from './table';

const scheduleKey = (owner: string, id: string) => ({ PK: keys.owner(owner), SK: keys.schedule(id) });
const runKey = (owner: string, scheduleId: string, runId: string) => ({ PK: keys.owner(owner), SK: keys.scheduleRun(scheduleId, runId) });

export const scheduleItem = (schedule: ScheduleRecord) => ({ ...scheduleKey(schedule.owner, schedule.id), type: 'Schedule', ...schedule });

/** A raw table item (from a read or a stream image) as a schedule record. */
export const toScheduleRecord = (item: Record<string, unknown>): ScheduleRecord => withoutKeys<ScheduleRecord>(item);

export async function putSchedule(schedule: ScheduleRecord): Promise<void> {
  await ddb().send(new PutCommand({ TableName: tableName(), Item: scheduleItem(schedule), ConditionExpression: 'attribute_not_exists(PK)' }));
}

export async function getSchedule(owner: string, id: string): Promise<ScheduleRecord | null> {
  const { Item } = await ddb().send(new GetCommand({ TableName: tableName(), Key: scheduleKey(owner, id), ConsistentRead: true }));
  return Item ? toScheduleRecord(Item) : null;
}

/** Newest first. */
export async function listSchedules(owner: string): Promise<ScheduleRecord[]> {
  const items = await allItems('query', {
    TableName: tableName(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.owner(owner), ':prefix': keys.schedule('') },
    ScanIndexForward: false,
  });
  return items.map(toScheduleRecord);
}

/** The fields a user changes (never the run bookkeeping, which `recordRun` writes beside a PATCH). */
const USER_FIELDS = [
  'name', 'datasetId', 'trainerId', 'triggerPhrase', 'params', 'expression', 'timezone', 'onlyIfDatasetChanged',
  'autoRegister', 'enabled', 'updatedAt',
] as const;

/**
 * Writes the user's fields of `next` (and forgets the trained version when `next` has none) onto the stored
 * schedule, leaving its last run as the runs wrote it. The schedule after the write; null when it is gone.
 */
export async function updateSchedule(next: ScheduleRecord): Promise<ScheduleRecord | null> {
  const patch: Record<string, unknown> = Object.fromEntries(USER_FIELDS.map((field) => [field, next[field]]));
  if (next.lastTrainedVersion === undefined) Object.assign(patch, { lastTrainedVersion: undefined, lastTrainedJobId: undefined });
  const { names, values, expression } = updateParts(patch);
  const written = await conditionalUpdate({
    Key: scheduleKey(next.owner, next.id),
    UpdateExpression: expression,
    ConditionExpression: 'attribute_exists(PK)',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
    ReturnValues: 'ALL_NEW',
  });
  return written?.Attributes ? toScheduleRecord(written.Attributes) : null;
}

/** False when the owner has no such schedule. */
export async function deleteSchedule(owner: string, id: string): Promise<boolean> {
  const deleted = await unlessConditionFails(ddb().send(new DeleteCommand({
    TableName: tableName(), Key: scheduleKey(owner, id), ConditionExpression: 'attribute_exists(PK)',
  })));
  return deleted !== null;
}

const toRun = (item: Record<string, unknown>): ScheduleRunRecord => withoutKeys<ScheduleRunRecord>(item);

/** Writes the run unless one of its id exists: the run that is stored afterwards, and whether it is this one. */
export async function putRunOnce(run: ScheduleRunRecord): Promise<{ run: ScheduleRunRecord; created: boolean }> {
  const Key = runKey(run.owner, run.scheduleId, run.id);
  try {
    await ddb().send(new PutCommand({ TableName: tableName(), Item: { ...Key, type: 'ScheduleRun', ...run }, ConditionExpression: 'attribute_not_exists(PK)' }));
    return { run, created: true };
  } catch (error) {
    if (!isConditionFailed(error)) throw error;
    const existing = await getRun(run.owner, run.scheduleId, run.id);
    if (!existing) throw error;
    return { run: existing, created: false };
  }
}

export async function getRun(owner: string, scheduleId: string, runId: string): Promise<ScheduleRunRecord | null> {
  const { Item } = await ddb().send(new GetCommand({ TableName: tableName(), Key: runKey(owner, scheduleId, runId), ConsistentRead: true }));
  return Item ? toRun(Item) : null;
}

/** Whether a decoded cursor is a key this listing hands out: the table key of one of this schedule's runs. */
function isRunPageKey(key: Record<string, unknown> | undefined, owner: string, scheduleId: string): key is { PK: string; SK: string } {
  if (!key) return false;
  const prefix = keys.scheduleRun(scheduleId, '');
  return Object.keys(key).length === 2 && key.PK === keys.owner(owner) && typeof key.SK === 'string'
    && key.SK.startsWith(prefix) && key.SK.length > prefix.length && Buffer.byteLength(key.SK) <= 1024;
}

/** A page of the schedule's runs, newest first. */
export async function listRuns(owner: string, scheduleId: string, options: { limit: number; cursor?: string }): Promise<{ runs: ScheduleRunRecord[]; cursor?: string }> {
  const startKey = decodeCursor(options.cursor);
  if (options.cursor && !isRunPageKey(startKey, owner, scheduleId)) {
    throw new Invalid('BAD_CURSOR', 'The cursor is not one this API issued for this schedule; start the listing again without it.', [{ field: 'cursor', message: 'Unknown cursor.' }]);
  }
  const result = await ddb().send(new QueryCommand({
    TableName: tableName(),
    KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
    ExpressionAttributeValues: { ':pk': keys.owner(owner), ':prefix': keys.scheduleRun(scheduleId, '') },
    ScanIndexForward: false,
    Limit: options.limit,
    ExclusiveStartKey: startKey,
  }));
  return { runs: (result.Items ?? []).map(toRun), cursor: encodeCursor(result.LastEvaluatedKey) };
}

/**
 * Shows the run as the schedule's last (unless a later one is shown already) and, for a started run, remembers
 * the version it trains and its job. Nothing when the schedule is gone meanwhile.
 */
export async function recordRun(run: ScheduleRunRecord, trained?: { version: number; jobId: string }): Promise<void> {
  const { owner: _owner, ...lastRun } = run;
  await conditionalUpdate({
    Key: scheduleKey(run.owner, run.scheduleId),
    UpdateExpression: trained ? 'SET lastRun = :run, lastTrainedVersion = :version, lastTrainedJobId = :job' : 'SET lastRun = :run',
    ConditionExpression: 'attribute_exists(PK) AND (attribute_not_exists(lastRun) OR lastRun.#at <= :at)',
    ExpressionAttributeNames: { '#at': 'at' },
    ExpressionAttributeValues: { ':run': lastRun, ':at': run.at, ...(trained ? { ':version': trained.version, ':job': trained.jobId } : {}) },
  });
}

