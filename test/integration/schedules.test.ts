// Retraining on a schedule, end to end against one local cloud whose Scheduler runs on a clock the test moves:
// a weekly schedule fires once per advanced week, trains only a changed dataset, starts one job for a firing
// delivered twice, registers the LoRA, stops when paused, goes with its Scheduler schedule when deleted (its jobs
// stay), records a firing on a gone or INVALID dataset as FAILED, refuses bad requests before anything exists,
// and keeps its schedules and next runs across a restart.
import { DeleteItemCommand, DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter, Dataset, ErrorBody, Job, Schedule, ScheduleRun } from '#domain/schemas';
import { LOCAL_NAMES, startLocalCloud, type LocalCloud } from '#local/cloud';
import { manualClock, type Delivery, type ManualClock } from '#local/aws/scheduler';
import { makeDatasetZip } from '#support/dataset-zip';
import { LoraworksClient, postForm, type LiveFeed, type PresignedForm } from '#support/local-cloud-client';

const TRAINER = 'fal-ai/flux-lora-fast-training';
const WEEKLY = 'cron(0 3 ? * MON *)';
const GROUP = 'loraworks';
const WEEK_MS = 7 * 86_400_000;

let dataDir: string;
let clock: ManualClock;
let cloud: LocalCloud;
let alice: LoraworksClient;
let feed: LiveFeed;

/** Starts the local cloud on the data folder with its Scheduler on a clock that reads `at` until moved. */
async function start(at: Date): Promise<void> {
  clock = manualClock(at);
  cloud = await startLocalCloud({ port: 0, dataDir, emulatorStepsPerSecond: 200, schedulerClock: clock });
  alice = await LoraworksClient.signIn(cloud.apiUrl, 'alice');
  feed = await alice.connect(cloud.wsUrl);
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'loraworks-schedules-'));
  await start(new Date());
}, 120_000);
afterAll(async () => {
  feed?.close();
  await cloud?.stop();
  await rm(dataDir, { recursive: true, force: true });
});
// A schedule left behind would fire in the next test's ticks.
afterEach(async () => {
  const { schedules } = await alice.expect<{ schedules: Schedule[] }>(200, 'GET', '/schedules');
  for (const s of schedules) await alice.expect(204, 'DELETE', `/schedules/${s.id}`);
});

const schedulerName = (s: Schedule) => `lw-${s.id}`;
// The handlers' own endpoint and the developer's key (set in this process by startLocalCloud), as the AWS CLI uses them.
const scheduler = () => new SchedulerClient({ endpoint: process.env.AWS_ENDPOINT_URL_SCHEDULER });

/** Moves the clock to `at` and delivers what came due: the deliveries of `schedule`, once their pushes are out. */
async function tickTo(at: Date, schedule: Schedule): Promise<Delivery[]> {
  clock.advance(at);
  const deliveries = await cloud.scheduler.tick(at);
  await cloud.streamsIdle();
  return deliveries.filter((d) => d.schedule === schedulerName(schedule));
}

function nextRun(schedule: Schedule): Date {
  const next = cloud.scheduler.nextRunAt(schedulerName(schedule));
  expect(next, `the local Scheduler has a next run for ${schedule.name}`).toBeInstanceOf(Date);
  return next!;
}

async function upload(datasetId: string, zip: Buffer): Promise<number> {
  const { version, upload: form } = await alice.expect<{ version: number; upload: PresignedForm }>(201, 'POST', `/datasets/${datasetId}/uploads`, { fileName: 'set.zip', sizeBytes: zip.length });
  const posted = await postForm(form, zip);
  expect(posted.status, posted.body).toBeLessThan(300);
  return version;
}

async function dataset(name: string, status: 'READY' | 'INVALID' = 'READY'): Promise<Dataset> {
  const created = await alice.expect<Dataset>(201, 'POST', '/datasets', { name });
  const zip = await makeDatasetZip(status === 'READY' ? { images: 4 } : { images: 4, extra: { 'fake.png': 'not a picture' } });
  const version = await upload(created.id, zip);
  expect((await feed.datasetVersion(created.id, version, ['READY', 'INVALID'])).status).toBe(status);
  return created;
}

function createSchedule(datasetId: string, fields: Record<string, unknown> = {}): Promise<Schedule> {
  return alice.expect<Schedule>(201, 'POST', '/schedules', {
    name: 'weekly cat', datasetId, trainerId: TRAINER, triggerPhrase: 'ohwx cat', params: { steps: 20 }, expression: WEEKLY, ...fields,
  });
}

const runsOf = async (s: Schedule) => (await alice.expect<{ runs: ScheduleRun[] }>(200, 'GET', `/schedules/${s.id}/runs`)).runs;
const jobsOf = async (s: Schedule) => (await alice.expect<{ jobs: Job[] }>(200, 'GET', '/jobs?limit=100')).jobs.filter((j) => j.scheduleId === s.id);

describe('retraining on a schedule', { timeout: 120_000 }, () => {
  it('fires once per advanced week, skips an unchanged dataset and trains the new version after an upload', async () => {
    const ds = await dataset('weekly set');
    const schedule = await createSchedule(ds.id);
    expect(schedule).toMatchObject({ expression: WEEKLY, timezone: 'UTC', onlyIfDatasetChanged: true, autoRegister: false, enabled: true });
    const first = nextRun(schedule);
    expect(first.getUTCDay()).toBe(1);
    expect(first.toISOString()).toMatch(/T03:00:00\.000Z$/);
    expect(schedule.nextRunAt && new Date(schedule.nextRunAt).toISOString()).toBe(first.toISOString());

    expect(await tickTo(new Date(first.getTime() - 60_000), schedule)).toEqual([]);
    expect(await tickTo(first, schedule)).toMatchObject([{ outcome: 'DELIVERED', scheduledAt: first.toISOString() }]);
    const [started] = await runsOf(schedule);
    expect(started).toMatchObject({ outcome: 'STARTED', datasetVersion: 1, at: first.toISOString(), jobId: expect.any(String) });
    const job = await alice.expect<Job>(200, 'GET', `/jobs/${started!.jobId}`);
    expect(job).toMatchObject({ origin: 'schedule', scheduleId: schedule.id, datasetId: ds.id, datasetVersion: 1, params: { steps: 20 } });
    const shown = await alice.expect<Schedule>(200, 'GET', `/schedules/${schedule.id}`);
    expect(shown.lastRun).toEqual(started);
    expect(feed.messages.some((m) => m.type === 'schedule' && m.schedule.id === schedule.id && m.schedule.lastRun?.id === started!.id)).toBe(true);

    const second = new Date(first.getTime() + WEEK_MS);
    expect(await tickTo(second, schedule)).toHaveLength(1);
    const [skipped] = await runsOf(schedule);
    expect(skipped).toMatchObject({ outcome: 'SKIPPED', datasetVersion: 1, at: second.toISOString() });
    expect(skipped!.jobId).toBeUndefined();
    expect(skipped!.reason).toMatch(/v1|version 1/);

    const version = await upload(ds.id, await makeDatasetZip({ images: 5 }));
    await feed.datasetVersion(ds.id, version, ['READY']);
    // Two weeks at once: two firings, the first trains v2, the second finds it trained.
    const fourth = new Date(first.getTime() + 3 * WEEK_MS);
    expect(await tickTo(fourth, schedule)).toHaveLength(2);
    const runs = await runsOf(schedule);
    expect(runs.map((r) => [r.outcome, r.datasetVersion])).toEqual([['SKIPPED', 2], ['STARTED', 2], ['SKIPPED', 1], ['STARTED', 1]]);
    expect((await jobsOf(schedule)).map((j) => j.datasetVersion).sort()).toEqual([1, 2]);
  });

  it('starts one job for a firing delivered twice', async () => {
    const ds = await dataset('duplicate set');
    // Every firing trains: a second delivery must find its run, not a reason to skip.
    const schedule = await createSchedule(ds.id, { onlyIfDatasetChanged: false });
    const { Target } = await scheduler().send(new GetScheduleCommand({ GroupName: GROUP, Name: schedulerName(schedule) }));
    const at = nextRun(schedule);
    expect(await tickTo(at, schedule)).toMatchObject([{ outcome: 'DELIVERED' }]);
    // Scheduler delivers at least once: the same input again, twice at the same moment, through the Lambda API.
    const input = Target!.Input!.replace('<aws.scheduler.scheduled-time>', at.toISOString().replace(/\.\d{3}Z$/, 'Z'));
    const lambda = new LambdaClient({ endpoint: process.env.AWS_ENDPOINT_URL_LAMBDA });
    const again = await Promise.all([1, 2].map(() => lambda.send(new InvokeCommand({ FunctionName: Target!.Arn, Payload: Buffer.from(input) }))));
    const answers = again.map((a) => {
      expect(a.FunctionError, Buffer.from(a.Payload ?? []).toString()).toBeUndefined();
      return JSON.parse(Buffer.from(a.Payload!).toString()) as ScheduleRun;
    });
    await cloud.streamsIdle();
    const runs = await runsOf(schedule);
    expect(runs).toHaveLength(1);
    expect(runs[0]).toMatchObject({ outcome: 'STARTED', at: at.toISOString() });
    for (const answer of answers) expect(answer).toMatchObject({ id: runs[0]!.id, outcome: 'STARTED', jobId: runs[0]!.jobId });
    expect((await jobsOf(schedule)).map((j) => j.id)).toEqual([runs[0]!.jobId]);
  });

  it('registers the LoRA, named after the schedule and the dataset version, once the job completes', async () => {
    const ds = await dataset('registered set');
    const schedule = await createSchedule(ds.id, { name: 'nightly cat', autoRegister: true, expression: 'rate(1 day)' });
    await tickTo(nextRun(schedule), schedule);
    const [run] = await runsOf(schedule);
    expect(run).toMatchObject({ outcome: 'STARTED' });
    const done = await feed.job(run!.jobId!, 'COMPLETED');
    await cloud.streamsIdle();
    const { adapters } = await alice.expect<{ adapters: Adapter[] }>(200, 'GET', '/adapters');
    const registered = adapters.filter((a) => a.jobId === done.id);
    expect(registered).toMatchObject([{ source: 'schedule', trainerId: TRAINER, triggerPhrase: 'ohwx cat', artifact: { sha256: done.artifact!.sha256 } }]);
    expect(registered[0]!.name).toContain('nightly cat');
    expect(registered[0]!.name).toMatch(/v1\b/);
  });

  it('does not fire while paused, and fires again from the next run once resumed', async () => {
    const ds = await dataset('paused set');
    const schedule = await createSchedule(ds.id, { onlyIfDatasetChanged: false });
    const at = nextRun(schedule);
    const paused = await alice.expect<Schedule>(200, 'PATCH', `/schedules/${schedule.id}`, { enabled: false });
    expect(paused.enabled).toBe(false);
    expect(paused.nextRunAt).toBeUndefined();
    expect((await scheduler().send(new GetScheduleCommand({ GroupName: GROUP, Name: schedulerName(schedule) }))).State).toBe('DISABLED');
    expect(await tickTo(new Date(at.getTime() + 2 * WEEK_MS), schedule)).toEqual([]);
    expect(await runsOf(schedule)).toEqual([]);

    const resumed = await alice.expect<Schedule>(200, 'PATCH', `/schedules/${schedule.id}`, { enabled: true });
    expect(resumed.enabled).toBe(true);
    // The weeks it was paused are not made up for.
    expect(await tickTo(nextRun(schedule), schedule)).toHaveLength(1);
    expect((await runsOf(schedule)).map((r) => r.outcome)).toEqual(['STARTED']);
  });

  it('deletes the Scheduler schedule with it, and keeps its jobs', async () => {
    const ds = await dataset('deleted set');
    const schedule = await createSchedule(ds.id);
    await tickTo(nextRun(schedule), schedule);
    const [run] = await runsOf(schedule);
    expect(run?.outcome).toBe('STARTED');

    await alice.expect(204, 'DELETE', `/schedules/${schedule.id}`);
    await expect(scheduler().send(new GetScheduleCommand({ GroupName: GROUP, Name: schedulerName(schedule) }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(cloud.scheduler.nextRunAt(schedulerName(schedule))).toBeUndefined();
    expect((await alice.request('GET', `/schedules/${schedule.id}`)).status).toBe(404);
    expect(await alice.expect<Job>(200, 'GET', `/jobs/${run!.jobId}`)).toMatchObject({ scheduleId: schedule.id, origin: 'schedule' });
  });

  it('records a firing whose dataset is INVALID or gone as FAILED with the reason, and starts nothing', async () => {
    const invalid = await createSchedule((await dataset('broken set', 'INVALID')).id, { name: 'on a broken set' });
    const doomed = await dataset('doomed set');
    const gone = await createSchedule(doomed.id, { name: 'on a gone set' });
    // The dataset's records go from the table (Loraworks has no dataset delete yet; a person could remove them).
    const ddb = new DynamoDBClient({ endpoint: process.env.AWS_ENDPOINT_URL_DYNAMODB });
    const { Items = [] } = await ddb.send(new ScanCommand({ TableName: LOCAL_NAMES.table }));
    const records = Items.filter((i) => i.SK?.S === `DS#${doomed.id}` || i.SK?.S?.startsWith(`DSV#${doomed.id}#`));
    expect(records.length).toBeGreaterThan(1);
    for (const item of records) await ddb.send(new DeleteItemCommand({ TableName: LOCAL_NAMES.table, Key: { PK: item.PK!, SK: item.SK! } }));

    const at = nextRun(invalid);
    expect(nextRun(gone)).toEqual(at);
    await tickTo(at, invalid);
    const [failedInvalid] = await runsOf(invalid);
    expect(failedInvalid).toMatchObject({ outcome: 'FAILED', at: at.toISOString() });
    expect(failedInvalid!.reason).toMatch(/INVALID/);
    const [failedGone] = await runsOf(gone);
    expect(failedGone).toMatchObject({ outcome: 'FAILED', at: at.toISOString() });
    expect(failedGone!.reason).toMatch(/no longer exists/);
    expect([...(await jobsOf(invalid)), ...(await jobsOf(gone))]).toEqual([]);
    expect((await alice.expect<Schedule>(200, 'GET', `/schedules/${invalid.id}`)).lastRun).toEqual(failedInvalid);
  });

  it('refuses a bad expression, zone or parameters with 422 and another user\'s dataset with 404, creating nothing', async () => {
    const ds = await dataset('refusals set');
    const bob = await LoraworksClient.signIn(cloud.apiUrl, 'bob');
    const bobs = await bob.expect<Dataset>(201, 'POST', '/datasets', { name: 'bob\'s set' });
    const base = { name: 'refused', datasetId: ds.id, trainerId: TRAINER, triggerPhrase: 'ohwx cat', params: { steps: 20 }, expression: WEEKLY };
    const refusals: [Record<string, unknown>, number, string][] = [
      [{ expression: 'cron(0 3 * * MON)' }, 422, 'expression'],
      [{ expression: 'every monday' }, 422, 'expression'],
      [{ timezone: 'Mars/Olympus' }, 422, 'timezone'],
      [{ params: { steps: 0 } }, 422, 'params.steps'],
      [{ expression: 'at(2020-01-01T03:00:00)' }, 422, 'expression'],
      [{ datasetId: bobs.id }, 404, ''],
    ];
    for (const [change, status, field] of refusals) {
      const answer = await alice.request<ErrorBody>('POST', '/schedules', { ...base, ...change });
      expect(answer.status, JSON.stringify({ change, answer: answer.body })).toBe(status);
      expect(answer.body.error.message.length).toBeGreaterThan(10);
      if (field) expect(answer.body.error.details?.map((d) => d.field), JSON.stringify(answer.body)).toContain(field);
    }
    expect((await alice.expect<{ schedules: Schedule[] }>(200, 'GET', '/schedules')).schedules).toEqual([]);
    expect((await scheduler().send(new ListSchedulesCommand({ GroupName: GROUP }))).Schedules).toEqual([]);
  });
});

describe('a restart of the local cloud', { timeout: 180_000 }, () => {
  it('keeps the schedules and their next runs, and fires them after it', async () => {
    const ds = await dataset('restart set');
    const schedule = await createSchedule(ds.id, { expression: 'rate(7 days)', timezone: 'Europe/Paris' });
    const before = nextRun(schedule);
    const listedBefore = await alice.expect<Schedule>(200, 'GET', `/schedules/${schedule.id}`);
    const stoppedAt = clock.now();
    feed.close();
    await cloud.stop();

    await start(stoppedAt);
    expect(nextRun(schedule)).toEqual(before);
    const shown = await alice.expect<Schedule>(200, 'GET', `/schedules/${schedule.id}`);
    expect(shown).toMatchObject({ id: schedule.id, expression: 'rate(7 days)', timezone: 'Europe/Paris', enabled: true, nextRunAt: listedBefore.nextRunAt });
    expect(shown.nextRunAt).toEqual(expect.any(String));
    expect(await tickTo(before, schedule)).toMatchObject([{ outcome: 'DELIVERED' }]);
    expect((await runsOf(schedule)).map((r) => r.outcome)).toEqual(['STARTED']);
  });
});
