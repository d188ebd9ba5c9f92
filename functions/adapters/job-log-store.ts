// A job's trainer log lines: one bounded item of its own beside the job (SK JOBLOG#{jobId}), so the Job item
// never grows with them. Poll replaces it with the trainer's latest tail (job-logs.ts keeps it bounded).
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { JobLogs } from '#domain/schemas';
import { ddb, keys, tableName } from './table';

const key = (owner: string, jobId: string) => ({ PK: keys.owner(owner), SK: keys.jobLog(jobId) });

export async function saveJobLogs(owner: string, jobId: string, logs: JobLogs, at: Date): Promise<void> {
  await ddb().send(new PutCommand({
    TableName: tableName(),
    Item: { ...key(owner, jobId), type: 'JobLog', jobId, lines: logs.lines, ...(logs.truncated ? { truncated: true } : {}), updatedAt: at.toISOString() },
  }));
}

/** The stored lines; none yet (or a trainer that gives none) is an empty list. */
export async function getJobLogs(owner: string, jobId: string): Promise<JobLogs> {
  const { Item } = await ddb().send(new GetCommand({ TableName: tableName(), Key: key(owner, jobId), ConsistentRead: true }));
  if (!Item) return { lines: [] };
  return { lines: (Item.lines as JobLogs['lines']) ?? [], ...(Item.truncated ? { truncated: true } : {}) };
}
