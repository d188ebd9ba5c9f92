// Two writers on one job record, against a real (in-process) dynalite so the write conditions are evaluated the
// way DynamoDB evaluates them: a writer that decided on a record another writer changed meanwhile must not put
// the older progress back.
import './handler-env';
import { createTestTable } from '#support/test-table';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import dynalite from 'dynalite';
import type { Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobRecord } from '#domain/job-lifecycle';
import { JOB_LOG_LINE_CHARS_MAX, JOB_LOG_LINES_MAX, type Progress } from '#domain/schemas';
import { closeServer, listen } from '#local/http-util';
import { jobItem } from './handler-env';
import { provider } from './scripted-trainers';

vi.mock('#adapters/trainers', () => import('./scripted-trainers'));

let table: Server;
beforeAll(async () => {
  table = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const port = await listen(table, 0);
  process.env.AWS_ENDPOINT_URL_DYNAMODB = `http://127.0.0.1:${port}`;
  await createTestTable(process.env.AWS_ENDPOINT_URL_DYNAMODB);
});
afterAll(async () => {
  delete process.env.AWS_ENDPOINT_URL_DYNAMODB;
  await closeServer(table);
});

// Imported after the endpoint is known: the table client is created on first use.
const { ddb } = await import('#adapters/table');
const { getJob } = await import('#adapters/job-store');
const { saveProgress } = await import('#adapters/job-workflow-marks');
const { requestJobCancel } = await import('#app/cancel-job');
const { pollTraining } = await import('#app/poll-training');

const remote = { provider: 'fal', endpoint: 'fal-ai/flux-lora-fast-training', requestId: 'r1' };
const step = (n: number, message = `Training: step ${n} of 1000.`): Progress => ({ step: n, totalSteps: 1000, fraction: n / 1000, message });

/** Runs `meanwhile` once, right after the next read of the job: the other writer lands between a read and its write. */
function afterNextRead(meanwhile: (seen: JobRecord) => Promise<unknown>) {
  let pending = true;
  const name = `after-read-${Math.random()}`;
  ddb().middlewareStack.add((next, context) => async (args) => {
    const output = await next(args);
    if (pending && (context.commandName === 'GetCommand' || context.commandName === 'GetItemCommand')) {
      pending = false;
      const item = (output.output as { Item?: JobRecord }).Item;
      if (item) await meanwhile(item);
    }
    return output;
  }, { step: 'initialize', name });
  return () => ddb().middlewareStack.remove(name);
}

beforeEach(() => {
  Object.values(provider).forEach((fn) => fn.mockReset());
});

describe('a job written by two writers at once', () => {
  it('cancelling a job keeps the progress a poll wrote meanwhile', async () => {
    await ddb().send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: jobItem({ id: 'J1', SK: 'JOB#J1', GSI1PK: 'JOB#J1', status: 'RUNNING', remote, progress: step(0) }) }));
    // The poll writes step 1 after the cancel read the job at step 0.
    const done = afterNextRead((seen) => saveProgress(seen, step(1), new Date()));
    try {
      const cancelled = await requestJobCancel('alice', 'J1', new Date());
      expect(cancelled.status).toBe('CANCELLING');
    } finally {
      done();
    }
    const stored = await getJob('alice', 'J1');
    expect(stored).toMatchObject({ status: 'CANCELLING', progress: { step: 1, fraction: 0.001, message: 'Cancelling at the trainer.' } });
  });

  it('a poll that sees the trainer start keeps the progress another poll wrote meanwhile', async () => {
    const now = new Date().toISOString();
    await ddb().send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: jobItem({ id: 'J2', SK: 'JOB#J2', GSI1PK: 'JOB#J2', status: 'QUEUED', remote, createdAt: now, updatedAt: now, progress: step(0, 'Waiting for the trainer.') }) }));
    // This poll's trainer answer says step 5; another workflow's poll (a reconciler restart) already wrote step 10.
    provider.status.mockResolvedValue({ state: 'running', progress: step(5) });
    const done = afterNextRead((seen) => saveProgress(seen, step(10), new Date()));
    try {
      const next = await pollTraining({ jobId: 'J2', owner: 'alice', phase: 'queued', polls: 0, waitSeconds: 5, error: undefined });
      expect(next.phase).toBe('running');
    } finally {
      done();
    }
    const stored = await getJob('alice', 'J2');
    expect(stored).toMatchObject({ status: 'RUNNING', progress: { step: 10, fraction: 0.01 } });
  });
});

describe('poll keeps the job history and the trainer log lines', () => {
  it('appends a point per change (not per poll) and stores the bounded tail of the logs beside the job', async () => {
    const now = new Date().toISOString();
    await ddb().send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: jobItem({ id: 'J3', SK: 'JOB#J3', GSI1PK: 'JOB#J3', status: 'QUEUED', remote, createdAt: now, updatedAt: now, progress: { fraction: 0, queuePosition: 3, message: 'In the queue.' } }) }));
    const poll = () => pollTraining({ jobId: 'J3', owner: 'alice', phase: 'queued', polls: 0, waitSeconds: 5, error: undefined });
    const { getJobLogs } = await import('#adapters/job-log-store');
    provider.status.mockResolvedValue({ state: 'queued', progress: { fraction: 0, queuePosition: 2, message: 'In the queue.' }, logs: [{ message: 'queued at position 2' }] });
    await poll();
    await poll(); // the same answer again: no new point
    const lines = Array.from({ length: 500 }, (_, i) => ({ message: `\u001b[32mstep ${i}\u001b[0m ${'x'.repeat(i === 499 ? 20_000 : 5)}`, at: now }));
    provider.status.mockResolvedValue({ state: 'running', progress: step(5), logs: lines });
    await poll();
    provider.status.mockResolvedValue({ state: 'running', progress: step(9), logs: lines });
    await poll();
    const stored = await getJob('alice', 'J3');
    expect(stored?.history?.map((p) => [p.status, p.fraction, p.queuePosition])).toEqual([
      ['QUEUED', 0, 2], ['RUNNING', 0.005, undefined], ['RUNNING', 0.009, undefined],
    ]);
    const logs = await getJobLogs('alice', 'J3');
    expect(logs.lines).toHaveLength(JOB_LOG_LINES_MAX);
    expect(logs.truncated).toBe(true);
    expect(logs.lines[0]!.message).toBe('step 300 xxxxx');
    expect(logs.lines.at(-1)!.message).toHaveLength(JOB_LOG_LINE_CHARS_MAX);
    // The Job item itself carries no lines.
    expect(JSON.stringify(stored)).not.toContain('step 300');
  });

  it('a trainer that answers nonsense logs does not fail the poll', async () => {
    const now = new Date().toISOString();
    await ddb().send(new PutCommand({ TableName: process.env.TABLE_NAME, Item: jobItem({ id: 'J4', SK: 'JOB#J4', GSI1PK: 'JOB#J4', status: 'RUNNING', remote, createdAt: now, updatedAt: now, progress: step(1) }) }));
    provider.status.mockResolvedValue({ state: 'running', progress: step(2), logs: [{ message: '' }, { message: '\u001b[0m' }] });
    const next = await pollTraining({ jobId: 'J4', owner: 'alice', phase: 'running', polls: 0, waitSeconds: 5, error: undefined });
    expect(next.phase).toBe('running');
    const { getJobLogs } = await import('#adapters/job-log-store');
    expect(await getJobLogs('alice', 'J4')).toEqual({ lines: [] });
  });
});
