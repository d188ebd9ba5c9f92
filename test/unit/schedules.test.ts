// Schedules through their handlers, against a real (in-process) dynalite behind the local cloud's proxy (for the
// transactions of job creation), with the Scheduler and Step Functions clients mocked: what each route writes to
// Scheduler, what it refuses before anything is created, and what a firing of `retrain` records and starts.
import './handler-env';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { DeleteCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import dynalite from 'dynalite';
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { dynamoStreamProxy } from '#local/aws/dynamo-stream-proxy';
import { closeServer, listen, startServer } from '#local/http-util';
import type { ErrorBody, Schedule, ScheduleRun } from '#domain/schemas';
import { createTestTable } from '#support/test-table';
import { context, httpEvent, parseBody } from './http-events';
import { datasetItem, jobItem, readyVersion, TRAINER_ID } from './handler-env';

process.env.SCHEDULE_GROUP = 'loraworks';
process.env.RETRAIN_FUNCTION_ARN = 'arn:aws:lambda:us-east-1:123456789012:function:retrain';
process.env.SCHEDULER_ROLE_ARN = 'arn:aws:iam::123456789012:role/SchedulerInvokeRetrain';
process.env.SCHEDULE_DLQ_ARN = 'arn:aws:sqs:us-east-1:123456789012:schedule-dlq';

vi.mock('#adapters/trainers', async () => {
  const { fallbackTrainers, findTrainer } = await import('#domain/trainer-catalog');
  return {
    getTrainer: async (id: string) => findTrainer(fallbackTrainers, id),
    listTrainers: async () => ({ source: 'fallback', trainers: fallbackTrainers }),
  };
});

let table: Server;
let proxyServer: Server;
beforeAll(async () => {
  table = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(table, 0);
  const proxy = dynamoStreamProxy({ dynaliteUrl: `http://127.0.0.1:${port}`, onRecords: () => undefined });
  const started = await startServer((req, res) => proxy.handle(req, res));
  proxyServer = started.server;
  process.env.AWS_ENDPOINT_URL_DYNAMODB = started.url;
  await createTestTable(started.url);
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  await closeServer(proxyServer);
  await closeServer(table);
});

// Imported after the endpoint is known: the table client is created on first use.
const { ddb } = await import('#adapters/table');
const { registerScheduledLora } = await import('#app/register-lora');
const { listRegisteredLoras } = await import('#adapters/lora-registry-store');
const route = async (name: string) => ((await import(`#handlers/${name}`)) as { handler: (event: unknown, ctx: unknown) => Promise<{ statusCode: number; body: string }> }).handler;
const create = await route('create-schedule');
const update = await route('update-schedule');
const remove = await route('delete-schedule');
const get = await route('get-schedule');
const runNow = await route('run-schedule');
const runs = await route('list-schedule-runs');
const { handler: retrain } = await import('#handlers/retrain');

const scheduler = mockClient(SchedulerClient);
const sfn = mockClient(SFNClient);
const put = (Item: Record<string, unknown>) => ddb().send(new PutCommand({ TableName: process.env.TABLE_NAME, Item }));
const request = { name: 'weekly', datasetId: 'ds1', trainerId: TRAINER_ID, triggerPhrase: 'tok', params: { steps: 500 }, expression: 'cron(0 3 ? * MON *)', timezone: 'Europe/Paris' };
const createSchedule = async (body: Record<string, unknown> = {}) => parseBody<Schedule>(await create(httpEvent({ body: { ...request, ...body } }), context));
const jobsOf = async (owner: string) => (await ddb().send(new QueryCommand({
  TableName: process.env.TABLE_NAME, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :job)',
  ExpressionAttributeValues: { ':pk': `OWNER#${owner}`, ':job': 'JOB#' },
}))).Items ?? [];
const schedulesOf = async (owner: string) => (await ddb().send(new QueryCommand({
  TableName: process.env.TABLE_NAME, KeyConditionExpression: 'PK = :pk AND begins_with(SK, :s)',
  ExpressionAttributeValues: { ':pk': `OWNER#${owner}`, ':s': 'SCHEDULE#' },
}))).Items ?? [];
const fire = (schedule: Schedule, scheduledAt: string, owner = 'alice') => retrain({ scheduleId: schedule.id, owner, scheduledAt }, context);
const runsOf = async (schedule: Schedule) => parseBody<{ runs: ScheduleRun[] }>(await runs(httpEvent({ path: { scheduleId: schedule.id } }), context)).runs;
const shown = async (schedule: Schedule) => parseBody<Schedule>(await get(httpEvent({ path: { scheduleId: schedule.id } }), context));

beforeEach(async () => {
  scheduler.reset();
  sfn.reset();
  scheduler.onAnyCommand().resolves({});
  sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:exec' });
  await put(datasetItem);
  await put(readyVersion());
});

describe('creating a schedule', () => {
  it('creates its Scheduler schedule in the group, invoking retrain with the schedule, owner and firing time', async () => {
    const response = await create(httpEvent({ body: request }), context);
    expect(response.statusCode).toBe(201);
    const schedule = parseBody<Schedule>(response);
    expect(schedule).toMatchObject({ name: 'weekly', onlyIfDatasetChanged: true, autoRegister: false, enabled: true, nextRunAt: expect.any(String) });
    expect(schedule).not.toHaveProperty('owner');
    const calls = scheduler.commandCalls(CreateScheduleCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      Name: `lw-${schedule.id}`,
      GroupName: 'loraworks',
      ScheduleExpression: 'cron(0 3 ? * MON *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: {
        Arn: process.env.RETRAIN_FUNCTION_ARN,
        RoleArn: process.env.SCHEDULER_ROLE_ARN,
        Input: `{"scheduleId":"${schedule.id}","owner":"alice","scheduledAt":"<aws.scheduler.scheduled-time>"}`,
        RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
        DeadLetterConfig: { Arn: process.env.SCHEDULE_DLQ_ARN },
      },
    });
    expect(await shown(schedule)).toEqual(schedule);
  });

  it('asks Scheduler to delete a one-time at() schedule after it fired, and a paused one starts DISABLED', async () => {
    await createSchedule({ expression: `at(${new Date().getUTCFullYear() + 1}-01-01T03:00:00)`, enabled: false });
    expect(scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input).toMatchObject({ ActionAfterCompletion: 'DELETE', State: 'DISABLED' });
  });

  it.each([
    ['an unknown trainer', { trainerId: 'nobody/nothing' }, 422, 'trainerId'],
    ['parameters that do not suit the trainer', { params: { steps: -5 } }, 422, 'params.steps'],
    ['an at() that has passed', { expression: 'at(2020-01-01T03:00:00)' }, 422, 'expression'],
    ['an unknown time zone', { timezone: 'Mars/Olympus' }, 422, 'timezone'],
    ['a six-field cron with both day fields', { expression: 'cron(0 3 * * MON *)' }, 422, 'expression'],
  ])('refuses %s (%i) before anything is created', async (_what, body, status, field) => {
    const response = await create(httpEvent({ owner: 'carol', body: { ...request, ...body } }), context);
    expect(response.statusCode).toBe(status);
    expect(parseBody<ErrorBody>(response).error.details?.map((d) => d.field)).toContain(field);
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(await schedulesOf('carol')).toHaveLength(0);
  });

  it('answers 404 DATASET_NOT_FOUND for a dataset of another user, before anything is created', async () => {
    const response = await create(httpEvent({ owner: 'bob', body: request }), context);
    expect(response.statusCode).toBe(404);
    expect(parseBody<ErrorBody>(response).error.code).toBe('DATASET_NOT_FOUND');
    expect(scheduler.commandCalls(CreateScheduleCommand)).toHaveLength(0);
    expect(await schedulesOf('bob')).toHaveLength(0);
  });
});

describe('changing and deleting a schedule', () => {
  it('pauses it: Scheduler gets the whole definition DISABLED, and no next run shows', async () => {
    const schedule = await createSchedule();
    const response = await update(httpEvent({ path: { scheduleId: schedule.id }, body: { enabled: false } }), context);
    expect(response.statusCode).toBe(200);
    expect(parseBody<Schedule>(response)).toMatchObject({ enabled: false, expression: 'cron(0 3 ? * MON *)' });
    expect(parseBody<Schedule>(response).nextRunAt).toBeUndefined();
    const calls = scheduler.commandCalls(UpdateScheduleCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({ ...scheduler.commandCalls(CreateScheduleCommand)[0]!.args[0].input, State: 'DISABLED' });
  });

  it('refuses parameters that do not suit the trainer, changing nothing', async () => {
    const schedule = await createSchedule();
    const response = await update(httpEvent({ path: { scheduleId: schedule.id }, body: { params: { steps: -5 } } }), context);
    expect(response.statusCode).toBe(422);
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
    expect((await shown(schedule)).params).toEqual({ steps: 500 });
  });

  it('moves it to a one-time at(): Scheduler gets the new expression and deletes it after it fired', async () => {
    const schedule = await createSchedule();
    const expression = `at(${new Date().getUTCFullYear() + 1}-01-01T03:00:00)`;
    const response = await update(httpEvent({ path: { scheduleId: schedule.id }, body: { expression } }), context);
    expect(parseBody<Schedule>(response)).toMatchObject({ expression, timezone: 'Europe/Paris', nextRunAt: expect.any(String) });
    expect(scheduler.commandCalls(UpdateScheduleCommand)[0]!.args[0].input).toMatchObject({ ScheduleExpression: expression, ActionAfterCompletion: 'DELETE', State: 'ENABLED' });
  });

  it('refuses another user’s dataset (404) and an unknown schedule (404), changing nothing', async () => {
    const schedule = await createSchedule();
    await put({ ...datasetItem, PK: 'OWNER#bob', owner: 'bob', SK: 'DS#bobs', id: 'bobs' });
    const foreign = await update(httpEvent({ path: { scheduleId: schedule.id }, body: { datasetId: 'bobs' } }), context);
    expect(foreign.statusCode).toBe(404);
    expect(parseBody<ErrorBody>(foreign).error.code).toBe('DATASET_NOT_FOUND');
    expect((await shown(schedule)).datasetId).toBe('ds1');
    const unknown = await update(httpEvent({ owner: 'bob', path: { scheduleId: schedule.id }, body: { enabled: false } }), context);
    expect(parseBody<ErrorBody>(unknown).error.code).toBe('SCHEDULE_NOT_FOUND');
    expect(scheduler.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  it('deletes it with its Scheduler schedule, also when Scheduler already dropped it', async () => {
    const schedule = await createSchedule();
    scheduler.on(DeleteScheduleCommand).rejects(Object.assign(new Error('gone'), { name: 'ResourceNotFoundException' }));
    const response = await remove(httpEvent({ path: { scheduleId: schedule.id } }), context);
    expect(response.statusCode).toBe(204);
    expect(scheduler.commandCalls(DeleteScheduleCommand)[0]!.args[0].input).toEqual({ Name: `lw-${schedule.id}`, GroupName: 'loraworks' });
    expect((await get(httpEvent({ path: { scheduleId: schedule.id } }), context)).statusCode).toBe(404);
  });
});

describe('a firing of a schedule', () => {
  it('delivered twice, even at once, is one run and one job, shown as the schedule’s last run', async () => {
    const schedule = await createSchedule({ datasetId: 'ds1' });
    const before = (await jobsOf('alice')).length;
    const at = '2026-06-08T01:00:00Z';
    const [first, second] = await Promise.all([fire(schedule, at), fire(schedule, at)]);
    const third = await fire(schedule, at);
    expect(first).toMatchObject({ outcome: 'STARTED', datasetVersion: 1, at: '2026-06-08T01:00:00.000Z', jobId: expect.any(String) });
    expect(second).toEqual(first);
    expect(third).toEqual(first);
    const jobs = await jobsOf('alice');
    expect(jobs).toHaveLength(before + 1);
    expect(jobs.find((job) => job.id === first.jobId)).toMatchObject({ origin: 'schedule', scheduleId: schedule.id, datasetVersion: 1, params: { steps: 500 } });
    expect(await runsOf(schedule)).toEqual([first]);
    expect((await shown(schedule)).lastRun).toEqual(first);
  });

  it('skips an unchanged dataset with the reason, then trains the new version after an upload', async () => {
    const schedule = await createSchedule();
    const started = await fire(schedule, '2026-06-08T01:00:00Z');
    const skipped = await fire(schedule, '2026-06-15T01:00:00Z');
    expect(skipped).toMatchObject({ outcome: 'SKIPPED', datasetVersion: 1, reason: 'dataset unchanged since v1' });
    expect(skipped.jobId).toBeUndefined();
    await put({ ...readyVersion(), SK: 'DSV#ds1#000002', version: 2 });
    const retrained = await fire(schedule, '2026-06-22T01:00:00Z');
    expect(retrained).toMatchObject({ outcome: 'STARTED', datasetVersion: 2 });
    expect((await runsOf(schedule)).map((run) => run.outcome)).toEqual(['STARTED', 'SKIPPED', 'STARTED']);
    expect((await runsOf(schedule))[2]).toEqual(started);
    await ddb().send(new DeleteCommand({ TableName: process.env.TABLE_NAME, Key: { PK: 'OWNER#alice', SK: 'DSV#ds1#000002' } }));
  });

  it('trains an unchanged dataset again when the job of its last run failed', async () => {
    const schedule = await createSchedule();
    const started = await fire(schedule, '2026-06-08T01:00:00Z');
    await ddb().send(new UpdateCommand({
      TableName: process.env.TABLE_NAME, Key: { PK: 'OWNER#alice', SK: `JOB#${started.jobId}` },
      UpdateExpression: 'SET #s = :failed', ExpressionAttributeNames: { '#s': 'status' }, ExpressionAttributeValues: { ':failed': 'FAILED' },
    }));
    expect(await fire(schedule, '2026-06-15T01:00:00Z')).toMatchObject({ outcome: 'STARTED', datasetVersion: 1 });
  });

  it('records FAILED with the reason when the latest version is INVALID or the dataset is gone', async () => {
    await put({ ...datasetItem, SK: 'DS#ds9', id: 'ds9', name: 'Broken' });
    await put({ ...readyVersion(6, 'INVALID'), SK: 'DSV#ds9#000001', datasetId: 'ds9' });
    const schedule = await createSchedule({ datasetId: 'ds9' });
    const invalid = await fire(schedule, '2026-06-08T01:00:00Z');
    expect(invalid).toMatchObject({ outcome: 'FAILED', datasetVersion: 1, reason: expect.stringContaining('the latest version v1 of dataset Broken is INVALID') });
    await ddb().send(new DeleteCommand({ TableName: process.env.TABLE_NAME, Key: { PK: 'OWNER#alice', SK: 'DS#ds9' } }));
    const gone = await fire(schedule, '2026-06-15T01:00:00Z');
    expect(gone).toMatchObject({ outcome: 'FAILED', reason: expect.stringContaining('dataset ds9 no longer exists') });
    expect((await runsOf(schedule)).map((run) => run.outcome)).toEqual(['FAILED', 'FAILED']);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('of a deleted schedule is dropped quietly: nothing written, nothing started', async () => {
    const schedule = await createSchedule();
    await remove(httpEvent({ path: { scheduleId: schedule.id } }), context);
    const run = await fire(schedule, '2026-06-08T01:00:00Z');
    expect(run).toMatchObject({ outcome: 'FAILED', reason: `schedule ${schedule.id} no longer exists` });
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(await schedulesOf('alice')).not.toContainEqual(expect.objectContaining({ id: schedule.id }));
  });

  it('now (POST /run) answers 202 with the run, by the same rules', async () => {
    const schedule = await createSchedule({ onlyIfDatasetChanged: false, autoRegister: true });
    const response = await runNow(httpEvent({ path: { scheduleId: schedule.id } }), context);
    expect(response.statusCode).toBe(202);
    const run = parseBody<ScheduleRun>(response);
    expect(run).toMatchObject({ outcome: 'STARTED', scheduleId: schedule.id, datasetVersion: 1 });
    const job = (await jobsOf('alice')).find((item) => item.id === run.jobId);
    expect(job).toMatchObject({ origin: 'schedule', registerAs: 'weekly · Faces v1' });
    expect((await runNow(httpEvent({ path: { scheduleId: 'nope' } }), context)).statusCode).toBe(404);
  });
});

describe('auto-registering a scheduled job’s LoRA', () => {
  it('registers it once as source schedule, under the schedule’s name for it', async () => {
    const artifact = { fileName: 'lora.safetensors', sizeBytes: 1234, sha256: 'ab'.repeat(32) };
    const job = jobItem({ id: 'JS1', SK: 'JOB#JS1', GSI1PK: 'JOB#JS1', status: 'COMPLETED', artifact, origin: 'schedule', scheduleId: 'S1', registerAs: 'weekly · Faces v1' });
    await put(job);
    const { PK: _pk, SK: _sk, GSI1PK: _g1, GSI1SK: _g2, type: _type, ...record } = job;
    await registerScheduledLora(record as never, new Date());
    await registerScheduledLora(record as never, new Date());
    const adapters = (await listRegisteredLoras('alice')).filter((adapter) => adapter.jobId === 'JS1');
    expect(adapters).toEqual([expect.objectContaining({ name: 'weekly · Faces v1', source: 'schedule', artifact })]);
  });
});
