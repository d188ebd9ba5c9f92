// The local EventBridge Scheduler answers the REST-JSON requests @aws-sdk/client-scheduler sends, as AWS answers
// them, and fires its schedules on a clock the test moves: retries, the dead-letter queue, ActionAfterCompletion,
// DISABLED, and a restart from its file.
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import type { Server } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { afterEach, describe, expect, it } from 'vitest';
import { secretAccessKeyOf } from '#local/aws/local-credentials';
import { NodeSha256 } from '#local/aws/sigv4';
import { localScheduler, manualClock, type DeadLetterMessage, type LocalScheduler, type ManualClock } from '#local/aws/scheduler';
import { closeServer, startServer } from '#local/http-util';
import { useTempDir } from '#support/temp-dir';

const root = useTempDir('loraworks-scheduler-');
const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map(closeServer));
});

const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:retrain';
const ROLE = 'arn:aws:iam::000000000000:role/SchedulerInvokeRetrain';
const DLQ = 'arn:aws:sqs:us-east-1:000000000000:schedules-dlq';

interface Harness {
  scheduler: LocalScheduler;
  clock: ManualClock;
  invoked: Array<{ arn: string; input: string }>;
  dead: Array<{ arn: string; message: DeadLetterMessage }>;
  call(method: string, path: string, body?: unknown): Promise<{ status: number; type: string | null; body: Record<string, unknown> }>;
  /** Moves the clock to `iso` and runs the scheduler's evaluation there. */
  advance(iso: string): ReturnType<LocalScheduler['tick']>;
}

async function harness(folder: string, startIso: string, failures = 0): Promise<Harness> {
  const clock = manualClock(new Date(startIso));
  const invoked: Harness['invoked'] = [];
  const dead: Harness['dead'] = [];
  let failuresLeft = failures;
  const scheduler = localScheduler({
    folder, clock,
    invoke: async (arn, input) => {
      invoked.push({ arn, input });
      if (failuresLeft-- > 0) throw Object.assign(new Error('Rate exceeded'), { name: 'TooManyRequestsException' });
    },
    deadLetter: (arn, message) => void dead.push({ arn, message }),
    groups: ['default', 'loraworks'],
  });
  const { server, url } = await startServer((req, res) => scheduler.handle(req, res));
  servers.push(server);
  return {
    scheduler, clock, invoked, dead,
    async call(method, path, body) {
      const response = await fetch(`${url}${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: response.status, type: response.headers.get('x-amzn-errortype'), body: await response.json() as Record<string, unknown> };
    },
    advance(iso) {
      clock.advance(new Date(iso));
      return scheduler.tick();
    },
  };
}

const folder = () => mkdtemp(join(root(), 'case-'));

function createBody(overrides: Record<string, unknown> = {}) {
  return {
    GroupName: 'loraworks',
    ScheduleExpression: 'cron(0 3 ? * MON *)',
    ScheduleExpressionTimezone: 'Europe/Berlin',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: FUNCTION, RoleArn: ROLE, Input: JSON.stringify({ scheduleId: 's1', owner: 'u1', at: '<aws.scheduler.scheduled-time>' }) },
    ...overrides,
  };
}

describe('the Scheduler API operations', () => {
  it('creates, gets, updates, lists and deletes a schedule', async () => {
    const h = await harness(await folder(), '2026-03-18T12:00:00Z');
    const created = await h.call('POST', '/schedules/lw-s1', createBody({ Description: 'weekly' }));
    expect(created).toMatchObject({ status: 200, body: { ScheduleArn: 'arn:aws:scheduler:us-east-1:000000000000:schedule/loraworks/lw-s1' } });

    const got = await h.call('GET', '/schedules/lw-s1?groupName=loraworks');
    expect(got.status).toBe(200);
    expect(got.body).toMatchObject({
      Name: 'lw-s1', GroupName: 'loraworks', State: 'ENABLED', ActionAfterCompletion: 'NONE', Description: 'weekly',
      ScheduleExpression: 'cron(0 3 ? * MON *)', ScheduleExpressionTimezone: 'Europe/Berlin', FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: FUNCTION, RoleArn: ROLE, RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 } },
      CreationDate: Date.parse('2026-03-18T12:00:00Z') / 1000,
    });
    expect(got.body).not.toHaveProperty('evaluatedUntil');

    const updated = await h.call('PUT', '/schedules/lw-s1', createBody({ ScheduleExpression: 'rate(7 days)', State: 'DISABLED' }));
    expect(updated.status).toBe(200);
    expect((await h.call('GET', '/schedules/lw-s1?groupName=loraworks')).body).toMatchObject({ ScheduleExpression: 'rate(7 days)', State: 'DISABLED' });

    await h.call('POST', '/schedules/other', createBody({ GroupName: undefined }));
    const listed = await h.call('GET', '/schedules?ScheduleGroup=loraworks');
    expect(listed.body).toEqual({ Schedules: [expect.objectContaining({ Name: 'lw-s1', GroupName: 'loraworks', State: 'DISABLED', Target: { Arn: FUNCTION } })] });
    expect(((await h.call('GET', '/schedules')).body.Schedules as unknown[]).length).toBe(2);

    expect(await h.call('DELETE', '/schedules/lw-s1?groupName=loraworks')).toMatchObject({ status: 200, body: {} });
    expect((await h.call('GET', '/schedules/lw-s1?groupName=loraworks')).status).toBe(404);
  });

  it('lists in pages of MaxResults with NextToken', async () => {
    const h = await harness(await folder(), '2026-03-18T12:00:00Z');
    for (const name of ['a', 'b', 'c']) await h.call('POST', `/schedules/${name}`, createBody());
    const first = await h.call('GET', '/schedules?ScheduleGroup=loraworks&MaxResults=2');
    expect((first.body.Schedules as Array<{ Name: string }>).map((s) => s.Name)).toEqual(['a', 'b']);
    const second = await h.call('GET', `/schedules?ScheduleGroup=loraworks&MaxResults=2&NextToken=${String(first.body.NextToken)}`);
    expect(second.body).toEqual({ Schedules: [expect.objectContaining({ Name: 'c' })] });
    expect(await h.call('GET', '/schedules?MaxResults=500')).toMatchObject({ status: 400, type: 'ValidationException' });
  });

  it('answers a second create of one name with ConflictException', async () => {
    const h = await harness(await folder(), '2026-03-18T12:00:00Z');
    await h.call('POST', '/schedules/lw-s1', createBody());
    expect(await h.call('POST', '/schedules/lw-s1', createBody())).toEqual({ status: 409, type: 'ConflictException', body: { Message: 'Schedule lw-s1 already exists.' } });
  });

  it('answers an unknown schedule or group with ResourceNotFoundException', async () => {
    const h = await harness(await folder(), '2026-03-18T12:00:00Z');
    expect(await h.call('GET', '/schedules/missing?groupName=loraworks')).toEqual({ status: 404, type: 'ResourceNotFoundException', body: { Message: 'Schedule missing does not exist.' } });
    expect(await h.call('DELETE', '/schedules/missing?groupName=loraworks')).toMatchObject({ status: 404, type: 'ResourceNotFoundException' });
    expect(await h.call('PUT', '/schedules/missing', createBody())).toMatchObject({ status: 404, type: 'ResourceNotFoundException' });
    expect(await h.call('POST', '/schedules/x', createBody({ GroupName: 'nope' }))).toEqual({ status: 404, type: 'ResourceNotFoundException', body: { Message: 'Schedule group nope does not exist.' } });
  });

  it.each([
    [{ ScheduleExpression: 'cron(0 3 * * MON *)' }, /Invalid Schedule Expression cron\(0 3 \* \* MON \*\): Exactly one of day-of-month and day-of-week/],
    [{ ScheduleExpressionTimezone: 'Mars/Olympus' }, /"Mars\/Olympus" is not an IANA time zone/],
    [{ FlexibleTimeWindow: undefined }, /FlexibleTimeWindow is required/],
    [{ FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }, /MaximumWindowInMinutes is required when Mode is FLEXIBLE/],
    [{ Target: { Arn: FUNCTION } }, /Target.RoleArn is required/],
    [{ Target: { Arn: FUNCTION, RoleArn: ROLE, RetryPolicy: { MaximumRetryAttempts: 186 } } }, /MaximumRetryAttempts must be a whole number from 0 to 185/],
    [{ Target: { Arn: FUNCTION, RoleArn: ROLE, RetryPolicy: { MaximumEventAgeInSeconds: 59 } } }, /MaximumEventAgeInSeconds must be a whole number from 60 to 86400/],
    [{ State: 'PAUSED' }, /State must be one of ENABLED, DISABLED/],
    [{ ActionAfterCompletion: 'ARCHIVE' }, /ActionAfterCompletion must be one of NONE, DELETE/],
  ])('answers a bad CreateSchedule with ValidationException (%j)', async (overrides, message) => {
    const h = await harness(await folder(), '2026-03-18T12:00:00Z');
    const answer = await h.call('POST', '/schedules/lw-s1', createBody(overrides));
    expect(answer.status).toBe(400);
    expect(answer.type).toBe('ValidationException');
    expect(answer.body.Message).toMatch(message);
    expect((await h.call('GET', '/schedules')).body).toEqual({ Schedules: [] });
  });

  it('refuses a name outside 1-64 of [0-9a-zA-Z-_.]', async () => {
    const h = await harness(await folder(), '2026-03-18T12:00:00Z');
    expect(await h.call('POST', `/schedules/${'a'.repeat(65)}`, createBody())).toMatchObject({ status: 400, type: 'ValidationException' });
    expect(await h.call('POST', '/schedules/bad%20name', createBody())).toMatchObject({ status: 400, type: 'ValidationException' });
  });
});

describe('firing on the clock', () => {
  it('fires a weekly cron once per advanced week, at its time in the zone, with the scheduled time in the input', async () => {
    const h = await harness(await folder(), '2026-03-18T12:00:00Z');
    await h.call('POST', '/schedules/lw-s1', createBody());
    expect(h.scheduler.nextRunAt('lw-s1', 'loraworks')?.toISOString()).toBe('2026-03-23T02:00:00.000Z');
    expect(await h.advance('2026-03-22T12:00:00Z')).toEqual([]);
    for (const [week, iso] of [['2026-03-25T12:00:00Z', '2026-03-23T02:00:00Z'], ['2026-04-01T12:00:00Z', '2026-03-30T01:00:00Z'], ['2026-04-08T12:00:00Z', '2026-04-06T01:00:00Z']] as const) {
      const deliveries = await h.advance(week);
      expect(deliveries.map((d) => [d.outcome, d.scheduledAt])).toEqual([['DELIVERED', iso.replace('Z', '.000Z')]]);
    }
    expect(h.invoked.map((i) => [i.arn, JSON.parse(i.input) as unknown])).toEqual([
      [FUNCTION, { scheduleId: 's1', owner: 'u1', at: '2026-03-23T02:00:00Z' }],
      [FUNCTION, { scheduleId: 's1', owner: 'u1', at: '2026-03-30T01:00:00Z' }],
      [FUNCTION, { scheduleId: 's1', owner: 'u1', at: '2026-04-06T01:00:00Z' }],
    ]);
  });

  it('does not fire a DISABLED schedule, and does not catch up when it is enabled again', async () => {
    const h = await harness(await folder(), '2026-03-18T12:00:00Z');
    await h.call('POST', '/schedules/lw-s1', createBody({ State: 'DISABLED' }));
    expect(h.scheduler.nextRunAt('lw-s1', 'loraworks')).toBeUndefined();
    expect(await h.advance('2026-04-08T12:00:00Z')).toEqual([]);
    await h.call('PUT', '/schedules/lw-s1', createBody({ State: 'ENABLED' }));
    expect(await h.advance('2026-04-12T12:00:00Z')).toEqual([]);
    expect((await h.advance('2026-04-14T12:00:00Z')).map((d) => d.scheduledAt)).toEqual(['2026-04-13T01:00:00.000Z']);
    expect(h.invoked).toHaveLength(1);
  });

  it('fires an at() with ActionAfterCompletion DELETE once and then removes it', async () => {
    const h = await harness(await folder(), '2026-03-18T12:00:00Z');
    await h.call('POST', '/schedules/once', createBody({ ScheduleExpression: 'at(2026-03-20T09:00:00)', ActionAfterCompletion: 'DELETE' }));
    await h.call('POST', '/schedules/kept', createBody({ ScheduleExpression: 'at(2026-03-20T09:00:00)' }));
    expect((await h.advance('2026-03-21T00:00:00Z')).map((d) => [d.schedule, d.outcome, d.scheduledAt])).toEqual([
      ['once', 'DELIVERED', '2026-03-20T08:00:00.000Z'], ['kept', 'DELIVERED', '2026-03-20T08:00:00.000Z'],
    ]);
    expect((await h.call('GET', '/schedules/once?groupName=loraworks')).status).toBe(404);
    expect((await h.call('GET', '/schedules/kept?groupName=loraworks')).status).toBe(200);
    expect(await h.advance('2026-04-21T00:00:00Z')).toEqual([]);
    expect(h.invoked).toHaveLength(2);
  });

  it('retries a failing target MaximumRetryAttempts times, then sends the dead-letter event', async () => {
    const h = await harness(await folder(), '2026-03-18T12:00:00Z', 10);
    await h.call('POST', '/schedules/lw-s1', createBody({
      Target: { ...createBody().Target, RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 60 }, DeadLetterConfig: { Arn: DLQ } },
    }));
    const [delivery] = await h.advance('2026-03-25T00:00:00Z');
    expect(delivery).toMatchObject({ outcome: 'DEAD_LETTERED', attempts: 3, error: 'Rate exceeded' });
    expect(h.invoked).toHaveLength(3);
    expect(h.dead).toEqual([{
      arn: DLQ,
      message: {
        body: JSON.stringify({ scheduleId: 's1', owner: 'u1', at: '2026-03-23T02:00:00Z' }),
        attributes: expect.objectContaining({
          ERROR_CODE: 'TooManyRequestsException', ERROR_MESSAGE: 'Rate exceeded', RETRY_ATTEMPTS: '2',
          SCHEDULE_ARN: 'arn:aws:scheduler:us-east-1:000000000000:schedule/loraworks/lw-s1', TARGET_ARN: FUNCTION,
        }) as unknown,
      },
    }]);
  });

  it('delivers on a retry when the target recovers, without a dead-letter event', async () => {
    const h = await harness(await folder(), '2026-03-18T12:00:00Z', 1);
    await h.call('POST', '/schedules/lw-s1', createBody({ Target: { ...createBody().Target, DeadLetterConfig: { Arn: DLQ } } }));
    expect(await h.advance('2026-03-25T00:00:00Z')).toMatchObject([{ outcome: 'DELIVERED', attempts: 2 }]);
    expect(h.dead).toEqual([]);
  });
});

describe('running on the system clock', () => {
  it('fires a schedule when its time comes, until stopped', async () => {
    let fired!: (input: string) => void;
    const firing = new Promise<string>((resolve) => (fired = resolve));
    const scheduler = localScheduler({ folder: await folder(), invoke: async (_arn, input) => fired(input) });
    const { server, url } = await startServer((req, res) => scheduler.handle(req, res));
    servers.push(server);
    const startDate = Date.now() / 1000 + 0.2;
    const created = await fetch(`${url}/schedules/soon`, {
      method: 'POST',
      body: JSON.stringify({ ...createBody({ GroupName: undefined, ScheduleExpression: 'rate(1 day)', StartDate: startDate }), Target: { Arn: FUNCTION, RoleArn: ROLE, Input: '<aws.scheduler.scheduled-time>' } }),
    });
    expect(created.status).toBe(200);
    scheduler.start(20);
    try {
      expect(await firing).toBe(new Date(startDate * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'));
    } finally {
      await scheduler.stop();
    }
  });
});

describe('a restart from the file', () => {
  it('keeps the schedules and their next runs, and delivers the latest firing missed while stopped once', async () => {
    const dir = await folder();
    const first = await harness(dir, '2026-03-18T12:00:00Z');
    await first.call('POST', '/schedules/lw-s1', createBody());
    await first.call('POST', '/schedules/daily', createBody({ ScheduleExpression: 'cron(0 6 * * ? *)', ScheduleExpressionTimezone: 'UTC' }));
    await first.advance('2026-03-19T00:00:00Z');

    // Stopped from 2026-03-19 to 2026-03-23T12:00Z: the Monday 02:00Z firing and the daily 06:00s were missed.
    const second = await harness(dir, '2026-03-23T12:00:00Z');
    expect((await second.call('GET', '/schedules/lw-s1?groupName=loraworks')).body).toMatchObject({ ScheduleExpression: 'cron(0 3 ? * MON *)', State: 'ENABLED' });
    const deliveries = await second.scheduler.tick();
    expect(deliveries.filter((d) => d.outcome === 'DELIVERED').map((d) => [d.schedule, d.scheduledAt])).toEqual([
      ['lw-s1', '2026-03-23T02:00:00.000Z'], ['daily', '2026-03-23T06:00:00.000Z'],
    ]);
    expect(deliveries.filter((d) => d.outcome === 'DROPPED').map((d) => d.scheduledAt)).toEqual([
      '2026-03-19T06:00:00.000Z', '2026-03-20T06:00:00.000Z', '2026-03-21T06:00:00.000Z', '2026-03-22T06:00:00.000Z',
    ]);
    expect(second.scheduler.nextRunAt('lw-s1', 'loraworks')?.toISOString()).toBe('2026-03-30T01:00:00.000Z');
    expect(await second.advance('2026-03-29T12:00:00Z')).toMatchObject([{ schedule: 'daily' }, { schedule: 'daily' }, { schedule: 'daily' }, { schedule: 'daily' }, { schedule: 'daily' }, { schedule: 'daily' }]);
  });

  it('delivers again a firing whose invocation was under way when the local cloud stopped (at least once)', async () => {
    const dir = await folder();
    let invoked!: () => void;
    const called = new Promise<void>((resolve) => (invoked = resolve));
    const clock = manualClock(new Date('2026-03-18T12:00:00Z'));
    const stopping = localScheduler({ folder: dir, clock, groups: ['default', 'loraworks'], invoke: () => { invoked(); return new Promise(() => undefined); } });
    const { server, url } = await startServer((req, res) => stopping.handle(req, res));
    servers.push(server);
    await fetch(`${url}/schedules/lw-s1`, { method: 'POST', body: JSON.stringify(createBody()) });
    clock.advance(new Date('2026-03-23T02:00:30Z'));
    void stopping.tick();
    await called;

    const restarted = await harness(dir, '2026-03-23T02:05:00Z');
    expect(await restarted.scheduler.tick()).toMatchObject([{ outcome: 'DELIVERED', scheduledAt: '2026-03-23T02:00:00.000Z' }]);
  });

  it('drops a firing missed longer ago than the maximum event age', async () => {
    const dir = await folder();
    const first = await harness(dir, '2026-03-18T12:00:00Z');
    await first.call('POST', '/schedules/lw-s1', createBody({ Target: { ...createBody().Target, RetryPolicy: { MaximumEventAgeInSeconds: 3600, MaximumRetryAttempts: 0 } } }));
    const second = await harness(dir, '2026-03-23T12:00:00Z');
    expect(await second.scheduler.tick()).toMatchObject([{ outcome: 'DROPPED', scheduledAt: '2026-03-23T02:00:00.000Z', error: expect.stringMatching(/maximum event age/) as unknown }]);
    expect(second.invoked).toEqual([]);
    expect(second.scheduler.nextRunAt('lw-s1', 'loraworks')?.toISOString()).toBe('2026-03-30T01:00:00.000Z');
  });
});

describe('with local IAM deciding', () => {
  /** The headers of a request signed (SigV4, scheduler) with a key of the local cloud, or with a wrong secret. */
  const signed = async (accessKeyId: string, url: string, body: string, secret = secretAccessKeyOf(accessKeyId) ?? 'not-issued') => {
    const target = new URL(url);
    const signer = new SignatureV4({ credentials: { accessKeyId, secretAccessKey: secret }, region: 'us-east-1', service: 'scheduler', sha256: NodeSha256 });
    const request = await signer.sign({ method: 'POST', protocol: 'http:', hostname: target.hostname, port: Number(target.port), path: target.pathname, headers: { host: target.host, 'content-type': 'application/json' }, body });
    return request.headers;
  };

  it('allows what the caller may do, refuses the rest with AccessDeniedException, and refuses unsigned or unknown callers', async () => {
    const asked: string[] = [];
    const scheduler = localScheduler({
      folder: await folder(), invoke: async () => undefined, groups: ['default', 'loraworks'],
      authorize: (key, action, resource) => {
        asked.push(`${key} ${action} ${resource}`);
        const allowed = key === 'LOCAL_api' && ((action.startsWith('scheduler:') && resource.includes(':schedule/loraworks/')) || (action === 'iam:PassRole' && resource === ROLE));
        return allowed ? { allowed: true } : { allowed: false, message: `User: ${key} is not authorized to perform: ${action} on resource: ${resource}` };
      },
    });
    const { server, url } = await startServer((req, res) => scheduler.handle(req, res));
    servers.push(server);
    const send = async (path: string, key: string | undefined, body: unknown, secret?: string) => {
      const text = JSON.stringify(body);
      const headers = key ? await signed(key, `${url}${path}`, text, secret) : {};
      delete headers.host;
      const response = await fetch(`${url}${path}`, { method: 'POST', headers, body: text });
      return { status: response.status, type: response.headers.get('x-amzn-errortype'), body: await response.json() as unknown };
    };

    expect((await send('/schedules/lw-s1', 'LOCAL_api', createBody())).status).toBe(200);
    expect(asked).toEqual([
      'LOCAL_api scheduler:CreateSchedule arn:aws:scheduler:us-east-1:000000000000:schedule/loraworks/lw-s1',
      `LOCAL_api iam:PassRole ${ROLE}`,
    ]);
    expect(await send('/schedules/lw-s2', 'LOCAL_api', createBody({ GroupName: 'default' }))).toEqual({
      status: 403, type: 'AccessDeniedException',
      body: { Message: 'User: LOCAL_api is not authorized to perform: scheduler:CreateSchedule on resource: arn:aws:scheduler:us-east-1:000000000000:schedule/default/lw-s2' },
    });
    expect(await send('/schedules/lw-s3', 'LOCAL_api', createBody({ Target: { Arn: FUNCTION, RoleArn: 'arn:aws:iam::000000000000:role/Admin' } })))
      .toMatchObject({ status: 403, type: 'AccessDeniedException', body: { Message: expect.stringContaining('iam:PassRole') as unknown } });
    expect(await send('/schedules/lw-s4', undefined, createBody())).toMatchObject({ status: 403, type: 'MissingAuthenticationTokenException' });
    expect(await send('/schedules/lw-s5', 'AKIAEXAMPLE', createBody())).toMatchObject({ status: 403, type: 'UnrecognizedClientException' });
    expect(await send('/schedules/lw-s6', 'LOCAL_api', createBody(), 'a-wrong-secret')).toMatchObject({ status: 403, type: 'InvalidSignatureException' });
    expect(asked).toHaveLength(5); // the refused signatures reached no IAM decision
  });
});
