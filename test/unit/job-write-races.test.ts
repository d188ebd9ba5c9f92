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
import type { Progress } from '#domain/schemas';
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
