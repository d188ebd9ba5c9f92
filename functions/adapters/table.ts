// The single table: one DocumentClient for the process, and the key layout of docs/internals.md.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient, paginateQuery, paginateScan, UpdateCommand, type QueryCommandInput, type ScanCommandInput,
  type UpdateCommandInput, type UpdateCommandOutput,
} from '@aws-sdk/lib-dynamodb';
import { config, sdkHttp } from './config';

let client: DynamoDBDocumentClient | undefined;

/** Created on first use so the environment (AWS_ENDPOINT_URL_DYNAMODB locally) is read after it is set. */
export const ddb = (): DynamoDBDocumentClient =>
  (client ??= DynamoDBDocumentClient.from(new DynamoDBClient(sdkHttp), {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  }));

export const tableName = (): string => config.tableName;

export const keys = {
  owner: (owner: string) => `OWNER#${owner}`,
  dataset: (datasetId: string) => `DS#${datasetId}`,
  datasetVersion: (datasetId: string, version: number) => `DSV#${datasetId}#${String(version).padStart(6, '0')}`,
  datasetVersions: (datasetId: string) => `DSV#${datasetId}#`,
  /** One uploaded S3 object (key hash, ETag, sequencer) → the version it became: makes S3 events idempotent. */
  datasetObject: (datasetId: string, objectId: string) => `DSOBJ#${datasetId}#${objectId}`,
  job: (jobId: string) => `JOB#${jobId}`,
  /** A job's trainer log lines (bounded), beside the job under its owner. */
  jobLog: (jobId: string) => `JOBLOG#${jobId}`,
  connection: (connectionId: string) => `CONN#${connectionId}`,
  idempotency: (key: string) => `IDEMP#${key}`,
  schedule: (scheduleId: string) => `SCHEDULE#${scheduleId}`,
  /** One run of a schedule, under its owner; run ids start with the scheduled time, so they sort by it. */
  scheduleRun: (scheduleId: string, runId: string) => `SRUN#${scheduleId}#${runId}`,
};

/** Attributes that belong to the table layout, not to the record. */
const LAYOUT = new Set(['PK', 'SK', 'GSI1PK', 'GSI1SK', 'type', 'expiresAt']);

export function withoutKeys<T>(item: Record<string, unknown>): T {
  return Object.fromEntries(Object.entries(item).filter(([k]) => !LAYOUT.has(k))) as T;
}

export const encodeCursor = (key: Record<string, unknown> | undefined): string | undefined =>
  key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;

export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key)) return key as Record<string, unknown>;
  } catch {
    // fall through: a cursor nobody issued
  }
  return undefined;
}

/** Every item a query or scan matches, page after page (the SDK's paginators). */
export async function allItems(kind: 'query', input: QueryCommandInput): Promise<Record<string, unknown>[]>;
export async function allItems(kind: 'scan', input: ScanCommandInput): Promise<Record<string, unknown>[]>;
export async function allItems(kind: 'query' | 'scan', input: QueryCommandInput & ScanCommandInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  const pages = kind === 'query' ? paginateQuery({ client: ddb() }, input) : paginateScan({ client: ddb() }, input);
  for await (const page of pages) items.push(...(page.Items ?? []));
  return items;
}

/** `SET #f0 = :v0, … REMOVE #f1, …` for a patch: a field set to undefined is removed. */
export function updateParts(patch: Record<string, unknown>) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets: string[] = [];
  const removes: string[] = [];
  Object.entries(patch).forEach(([field, value], i) => {
    names[`#f${i}`] = field;
    if (value === undefined) {
      removes.push(`#f${i}`);
    } else {
      values[`:v${i}`] = value;
      sets.push(`#f${i} = :v${i}`);
    }
  });
  const expression = [sets.length ? `SET ${sets.join(', ')}` : '', removes.length ? `REMOVE ${removes.join(', ')}` : ''].filter(Boolean).join(' ');
  return { names, values, expression };
}

/** A patch without its undefined fields (which updateParts would remove). */
export const definedOnly = <T extends object>(patch: T): Partial<T> =>
  Object.fromEntries(Object.entries(patch).filter(([, value]) => value !== undefined)) as Partial<T>;

export const isConditionFailed = (error: unknown): boolean =>
  error instanceof Error && error.name === 'ConditionalCheckFailedException';

/** The conditional write's output, or null when its condition failed (the item is not as the write expects). */
export async function unlessConditionFails<T>(write: Promise<T>): Promise<T | null> {
  try {
    return await write;
  } catch (error) {
    if (isConditionFailed(error)) return null;
    throw error;
  }
}

/** An update of the table conditional on its ConditionExpression: its output, or null when the condition failed. */
export const conditionalUpdate = (input: Omit<UpdateCommandInput, 'TableName'>): Promise<UpdateCommandOutput | null> =>
  unlessConditionFails(ddb().send(new UpdateCommand({ TableName: tableName(), ...input })));
