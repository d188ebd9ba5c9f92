// The local EventBridge Scheduler as the local cloud runs it: the real AWS CLI sees the schedules the SDK made;
// requests are refused unsigned, with a key it never issued or a wrong signature, and as the template's IAM
// decides for a function's key (its group's schedules only, passing the Scheduler role only); a firing invokes the
// target as the schedule's role, so a role that may not invoke it fails every attempt and dead-letters the event;
// schedules and their next runs survive a restart.
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CreateScheduleCommand, SchedulerClient, type CreateScheduleCommandInput } from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalCloud, type LocalCloud } from '#local/cloud';
import { manualClock } from '#local/aws/scheduler-clock';
import { DEVELOPER_CREDENTIALS, principalCredentials, type LocalCredentials } from '#local/aws/local-credentials';
import { functionArn } from '#local/aws/lambda-runtime';
import { useTempDir } from '#support/temp-dir';

const run = promisify(execFile);
const dataDir = useTempDir('loraworks-scheduler-');
const START = new Date('2027-01-04T00:00:00Z'); // a Monday
let cloud: LocalCloud;
let clock = manualClock(START);
let env: { group: string; retrain: string; role: string; dlq: string };

const startCloud = () => startLocalCloud({ port: 0, dataDir: join(dataDir(), 'cloud'), schedulerClock: clock });

beforeAll(async () => {
  cloud = await startCloud();
  env = { group: process.env.SCHEDULE_GROUP!, retrain: process.env.RETRAIN_FUNCTION_ARN!, role: process.env.SCHEDULER_ROLE_ARN!, dlq: process.env.SCHEDULE_DLQ_ARN! };
}, 120_000);
afterAll(() => cloud?.stop());

const client = (credentials: LocalCredentials) => new SchedulerClient({ endpoint: cloud.schedulerUrl, region: 'us-east-1', credentials, maxAttempts: 1 });

/** A schedule as the API's functions make them (COMMON11's fixed shape), with overrides. */
const schedule = (name: string, overrides: Partial<CreateScheduleCommandInput> = {}): CreateScheduleCommandInput => ({
  Name: name,
  GroupName: env.group,
  ScheduleExpression: 'rate(1 hour)',
  ScheduleExpressionTimezone: 'UTC',
  FlexibleTimeWindow: { Mode: 'OFF' },
  State: 'ENABLED',
  Target: {
    Arn: env.retrain, RoleArn: env.role,
    Input: JSON.stringify({ scheduleId: name.slice(3), owner: 'dev-alice', scheduledAt: '<aws.scheduler.scheduled-time>' }),
    RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 },
    DeadLetterConfig: { Arn: env.dlq },
  },
  ...overrides,
});

/** `aws scheduler <args>` against the local Scheduler, reading no profile of the machine's. */
async function aws(keys: { id: string; secret: string } | 'unsigned', ...args: string[]) {
  const runEnv = {
    PATH: process.env.PATH, HOME: dataDir(), AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null', AWS_DEFAULT_REGION: 'us-east-1',
    ...(keys === 'unsigned' ? {} : { AWS_ACCESS_KEY_ID: keys.id, AWS_SECRET_ACCESS_KEY: keys.secret }),
  };
  const extra = keys === 'unsigned' ? ['--no-sign-request'] : [];
  return run('aws', ['--endpoint-url', cloud.schedulerUrl, ...extra, 'scheduler', ...args], { env: runEnv }).then(
    ({ stdout }) => ({ ok: true, stdout, stderr: '' }),
    (error: { stdout?: string; stderr?: string }) => ({ ok: false, stdout: error.stdout ?? '', stderr: error.stderr ?? '' }),
  );
}
const DEVELOPER = { id: DEVELOPER_CREDENTIALS.accessKeyId, secret: DEVELOPER_CREDENTIALS.secretAccessKey };

describe('the local EventBridge Scheduler', () => {
  it('is told to the handlers as the template names it: the loraworks group, retrain, the Scheduler role and the dead-letter queue', () => {
    expect(env).toEqual({
      group: 'loraworks',
      retrain: functionArn('retrain'),
      role: expect.stringMatching(/^arn:aws:iam::000000000000:role\/SchedulesSchedulerRole\w+$/),
      dlq: expect.stringMatching(/^arn:aws:sqs:us-east-1:000000000000:SchedulesDeadLetters\w+$/),
    });
    expect(process.env.AWS_ENDPOINT_URL_SCHEDULER).toBe(cloud.schedulerUrl);
  });

  it('shows the AWS CLI a schedule the SDK made, and refuses it unsigned, with an unknown key or a wrong secret', async () => {
    await client(DEVELOPER_CREDENTIALS).send(new CreateScheduleCommand(schedule('lw-cli1')));
    const listed = await aws(DEVELOPER, 'list-schedules', '--group-name', 'loraworks');
    expect(listed.ok, listed.stderr).toBe(true);
    expect(JSON.parse(listed.stdout).Schedules).toEqual([expect.objectContaining({ Name: 'lw-cli1', GroupName: 'loraworks', State: 'ENABLED', Target: { Arn: env.retrain } })]);
    const got = await aws(DEVELOPER, 'get-schedule', '--name', 'lw-cli1', '--group-name', 'loraworks');
    expect(got.ok, got.stderr).toBe(true);
    expect(JSON.parse(got.stdout)).toMatchObject({
      Name: 'lw-cli1', ScheduleExpression: 'rate(1 hour)', FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: env.retrain, RoleArn: env.role, DeadLetterConfig: { Arn: env.dlq }, RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 3 } },
    });
    const missing = await aws(DEVELOPER, 'get-schedule', '--name', 'lw-none', '--group-name', 'loraworks');
    expect(missing.stderr).toMatch(/ResourceNotFoundException/);

    expect((await aws('unsigned', 'list-schedules')).stderr).toMatch(/MissingAuthenticationToken/);
    expect((await aws({ id: 'AKIAIOSFODNN7EXAMPLE', secret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' }, 'list-schedules')).stderr).toMatch(/UnrecognizedClientException/);
    expect((await aws({ id: DEVELOPER.id, secret: 'guess' }, 'list-schedules')).stderr).toMatch(/InvalidSignatureException/);
  });

  it('lets a schedule function manage its group\'s schedules passing the Scheduler role, and nothing else', async () => {
    const asCreate = client(principalCredentials('create-schedule'));
    await expect(asCreate.send(new CreateScheduleCommand(schedule('lw-fn1')))).resolves.toMatchObject({ ScheduleArn: expect.stringContaining(':schedule/loraworks/lw-fn1') });
    await expect(asCreate.send(new CreateScheduleCommand(schedule('lw-fn1')))).rejects.toMatchObject({ name: 'ConflictException' });
    await expect(asCreate.send(new CreateScheduleCommand(schedule('lw-fn2', { GroupName: 'default' }))))
      .rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining('scheduler:CreateSchedule on resource: arn:aws:scheduler:us-east-1:000000000000:schedule/default/lw-fn2') });
    const otherRole = 'arn:aws:iam::000000000000:role/SomeOtherRole';
    await expect(asCreate.send(new CreateScheduleCommand(schedule('lw-fn3', { Target: { ...schedule('x').Target!, RoleArn: otherRole } }))))
      .rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringContaining(`iam:PassRole on resource: ${otherRole}`) });
    // A reader of schedules reads the table, not Scheduler.
    await expect(client(principalCredentials('list-schedules')).send(new CreateScheduleCommand(schedule('lw-fn4'))))
      .rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  it('invokes the target as the schedule\'s role: a role that may not invoke it fails each attempt, then the event is dead-lettered', async () => {
    // The Scheduler role may invoke retrain only: aimed at another function, every attempt is refused.
    await client(DEVELOPER_CREDENTIALS).send(new CreateScheduleCommand(schedule('lw-denied', { Target: { ...schedule('lw-denied').Target!, Arn: functionArn('create-job') } })));
    clock.advance(new Date(START.getTime() + 3600_000));
    const deliveries = await cloud.scheduler.tick();
    const byName = Object.fromEntries(deliveries.map((d) => [d.schedule, d]));
    expect(byName['lw-cli1']).toMatchObject({ outcome: 'DELIVERED', attempts: 1, scheduledAt: '2027-01-04T01:00:00.000Z' });
    expect(byName['lw-denied']).toMatchObject({ outcome: 'DEAD_LETTERED', attempts: 4, error: expect.stringContaining('is not authorized to perform: lambda:InvokeFunction') });
    const lines = (await readFile(cloud.deadLetterFile(env.dlq), 'utf8')).trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([expect.objectContaining({
      body: JSON.stringify({ scheduleId: 'denied', owner: 'dev-alice', scheduledAt: '2027-01-04T01:00:00Z' }),
      attributes: expect.objectContaining({ ERROR_CODE: 'AccessDeniedException', RETRY_ATTEMPTS: '3', TARGET_ARN: functionArn('create-job') }),
    })]);
  });

  it('keeps schedules and their next runs across a restart on the same data folder', async () => {
    await client(DEVELOPER_CREDENTIALS).send(new CreateScheduleCommand(schedule('lw-weekly', { ScheduleExpression: 'cron(0 3 ? * MON *)', ScheduleExpressionTimezone: 'Europe/Berlin' })));
    const before = cloud.scheduler.nextRunAt('lw-weekly');
    expect(before).toEqual(new Date('2027-01-04T02:00:00Z')); // 03:00 in Berlin, this Monday
    await cloud.stop();
    clock = manualClock(clock.now());
    cloud = await startCloud();
    expect(cloud.scheduler.nextRunAt('lw-weekly')).toEqual(before);
    const listed = await aws(DEVELOPER, 'list-schedules', '--group-name', 'loraworks');
    expect(JSON.parse(listed.stdout).Schedules.map((s: { Name: string }) => s.Name)).toEqual(['lw-cli1', 'lw-denied', 'lw-fn1', 'lw-weekly']);
  }, 120_000);
});
