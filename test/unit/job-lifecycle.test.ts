import { describe, expect, it } from 'vitest';
import { Conflict } from '#domain/errors';
import { failureFrom } from '#domain/job-failures';
import { applyStatus, canTransition, complete, newJob, publicJob, requestCancel, transition, type JobRecord } from '#domain/job-lifecycle';
import type { JobStatus } from '#domain/schemas';

const at = new Date('2025-01-01T00:00:00Z');
const later = new Date('2025-01-01T00:05:00Z');

const job = (patch: Partial<JobRecord> = {}): JobRecord => ({
  ...newJob({
    id: '01JOB', owner: 'alice', request: { trainerId: 'fal-ai/flux-lora-fast-training', datasetId: 'ds1', triggerPhrase: 'tok' },
    datasetVersion: 1, params: { steps: 1000 }, origin: 'web', at,
  }),
  ...patch,
});

const remote = { provider: 'fal' as const, endpoint: 'fal-ai/flux-lora-fast-training', requestId: 'r1' };

describe('job lifecycle transitions', () => {
  const legal: [JobStatus, JobStatus][] = [
    ['QUEUED', 'RUNNING'], ['QUEUED', 'CANCELLING'], ['RUNNING', 'CANCELLING'],
    ['QUEUED', 'COMPLETED'], ['RUNNING', 'COMPLETED'], ['CANCELLING', 'COMPLETED'],
    ['QUEUED', 'FAILED'], ['RUNNING', 'FAILED'], ['CANCELLING', 'FAILED'],
    ['QUEUED', 'CANCELLED'], ['RUNNING', 'CANCELLED'], ['CANCELLING', 'CANCELLED'],
  ];
  const all: JobStatus[] = ['QUEUED', 'RUNNING', 'CANCELLING', 'COMPLETED', 'FAILED', 'CANCELLED'];

  it('allows exactly the moves of the design table', () => {
    for (const from of all) {
      for (const to of all) {
        const expected = legal.some(([f, t]) => f === from && t === to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(expected);
      }
    }
  });

  it('never changes a finished job', () => {
    for (const status of ['COMPLETED', 'FAILED', 'CANCELLED'] as const) {
      expect(() => transition(job({ status }), 'RUNNING', later)).toThrow(Conflict);
    }
  });

  it('stamps finishedAt when a job ends', () => {
    expect(transition(job(), 'FAILED', later).finishedAt).toBe(later.toISOString());
  });
});

describe('cancelling a job', () => {
  it('cancels at once a job that never reached the trainer', () => {
    expect(requestCancel(job(), later).status).toBe('CANCELLED');
  });

  it('asks the workflow to stop a job the trainer has', () => {
    expect(requestCancel(job({ remote }), later).status).toBe('CANCELLING');
    expect(requestCancel(job({ status: 'RUNNING', remote }), later).status).toBe('CANCELLING');
  });

  it('refuses to cancel a finished job', () => {
    expect(() => requestCancel(job({ status: 'COMPLETED' }), later)).toThrowError(/already completed/);
  });

  it('keeps the LoRA and says so when training finished before the cancel', () => {
    const done = complete(job({ status: 'CANCELLING', remote }), { fileName: 'lora.safetensors', sizeBytes: 10, sha256: 'x' }, later);
    expect(done.status).toBe('COMPLETED');
    expect(done.completedBeforeCancel).toBe(true);
  });
});

describe('reading trainer status', () => {
  it('moves a queued job to RUNNING when the trainer starts', () => {
    const { job: next, outcome } = applyStatus(job({ remote }), { state: 'running', progress: { fraction: 0.2, step: 200, totalSteps: 1000 } }, later);
    expect(next.status).toBe('RUNNING');
    expect(next.startedAt).toBe(later.toISOString());
    expect(outcome).toBe('waiting');
  });

  it('never moves progress backwards on a late poll', () => {
    const running = job({ status: 'RUNNING', remote, progress: { fraction: 0.5, step: 500, totalSteps: 1000 } });
    const { job: next } = applyStatus(running, { state: 'running', progress: { fraction: 0.3, step: 300, totalSteps: 1000 } }, later);
    expect(next.progress.fraction).toBe(0.5);
  });

  it('turns a trainer error into a message a person can act on', () => {
    const failure = failureFrom({ Error: 'TrainerRejected', Cause: JSON.stringify({ errorType: 'TrainerRejected', errorMessage: 'steps too high', trace: ['at x'] }) });
    expect(failure.code).toBe('TRAINER_REJECTED');
    expect(failure.message).toContain('steps too high');
    expect(failure.message).not.toContain('at x');
  });

  it.each([
    { how: 'the local Step Functions', Cause: 'TrainerRejected: fal refused to start the training: steps must be at most 10000.' },
    { how: 'AWS', Cause: JSON.stringify({ errorType: 'TrainerRejected', errorMessage: 'TrainerRejected: fal refused to start the training: steps must be at most 10000.' }) },
  ])('names no internal class in the message a person reads ($how)', ({ Cause }) => {
    const failure = failureFrom({ Error: 'TrainerRejected', Cause });
    expect(failure.message).toBe('The trainer refused the job: fal refused to start the training: steps must be at most 10000. Check the parameters and the dataset, then start it again.');
  });

  it('drops any error class name a cause starts with', () => {
    expect(failureFrom({ Error: 'TrainerLostJob', Cause: 'TypeError: the trainer forgot it' }).message).not.toMatch(/TypeError/);
  });
});

describe('a job a schedule started', () => {
  it('shows its origin and schedule, never the adapter name it is to be registered under', () => {
    const scheduled = newJob({
      id: '01JOB', owner: 'alice', request: { trainerId: 'fal-ai/flux-lora-fast-training', datasetId: 'ds1', triggerPhrase: 'tok' },
      datasetVersion: 1, params: {}, origin: 'schedule', scheduleId: '01SCHED', registerAs: 'weekly · Faces v1', at,
    });
    expect(scheduled).toMatchObject({ origin: 'schedule', scheduleId: '01SCHED', registerAs: 'weekly · Faces v1' });
    const shown = publicJob(scheduled);
    expect(shown).toMatchObject({ origin: 'schedule', scheduleId: '01SCHED' });
    expect(shown).not.toHaveProperty('registerAs');
    expect(publicJob(job())).not.toHaveProperty('scheduleId');
  });
});
