import { describe, expect, it } from 'vitest';
import type { JobRecord } from '#domain/job-lifecycle';
import { executionName, reconcile } from '#domain/reconcile';

const now = new Date('2025-01-01T12:00:00Z');
const minutesAgo = (m: number) => new Date(now.getTime() - m * 60_000).toISOString();
const limits = { silentSeconds: 3600, maxDurationSeconds: 12 * 3600, maxRestarts: 5, startGraceSeconds: 120 };
const remote = { provider: 'fal' as const, endpoint: 'fal-ai/flux-lora-fast-training', requestId: 'r1' };
const job = (patch: Partial<JobRecord> = {}): JobRecord => ({
  id: '01JOB', owner: 'alice', status: 'RUNNING', trainerId: 't', datasetId: 'ds', datasetVersion: 1, triggerPhrase: 'tok',
  params: {}, origin: 'web', progress: { fraction: 0.3 }, createdAt: minutesAgo(30), updatedAt: minutesAgo(1), remote, ...patch,
});

describe('the reconciler', () => {
  it('leaves finished jobs, fresh jobs and jobs whose workflow is alive', () => {
    expect(reconcile(job({ status: 'COMPLETED' }), 'MISSING', now, limits).action).toBe('leave');
    expect(reconcile(job({ createdAt: minutesAgo(1), remote: undefined, status: 'QUEUED' }), 'MISSING', now, limits).action).toBe('leave');
    expect(reconcile(job(), 'RUNNING', now, limits).action).toBe('leave');
  });

  it('resumes polling the same remote job when the workflow is gone (a new execution, never a new submit)', () => {
    for (const status of ['MISSING', 'ABORTED', 'TIMED_OUT', 'FAILED', 'SUCCEEDED'] as const) {
      expect(reconcile(job(), status, now, limits)).toMatchObject({ action: 'resume', stopCurrent: false, executionName: '01JOB-r1' });
    }
    expect(reconcile(job({ workflowRestarts: 2 }), 'MISSING', now, limits)).toMatchObject({ executionName: '01JOB-r3' });
  });

  it('stops and replaces a workflow that has been silent too long', () => {
    const silent = job({ updatedAt: minutesAgo(90) });
    expect(reconcile(silent, 'RUNNING', now, limits)).toMatchObject({ action: 'resume', stopCurrent: true });
    expect(reconcile({ ...silent, reconciledAt: minutesAgo(5) }, 'RUNNING', now, limits).action).toBe('leave');
  });

  it('submits a job whose only workflow was lost before it reached the trainer', () => {
    expect(reconcile(job({ status: 'QUEUED', remote: undefined }), 'MISSING', now, limits)).toMatchObject({ action: 'resume', reason: expect.stringMatching(/submitting/) });
  });

  it('ends CANCELLED a cancel that never reached the trainer', () => {
    expect(reconcile(job({ status: 'CANCELLING', remote: undefined }), 'MISSING', now, limits).action).toBe('cancel');
  });

  it('fails with a reason a job that can no longer be helped', () => {
    expect(reconcile(job({ workflowRestarts: 5 }), 'MISSING', now, limits)).toMatchObject({ action: 'fail', error: { Error: 'WorkflowLost' } });
    expect(reconcile(job({ status: 'QUEUED', remote: undefined, createdAt: minutesAgo(13 * 60) }), 'MISSING', now, limits))
      .toMatchObject({ action: 'fail', error: { Error: 'TrainingTimedOut' } });
  });

  it('names the n-th restart after the job', () => {
    expect(executionName({ id: 'J' })).toBe('J');
    expect(executionName({ id: 'J', workflowRestarts: 2 })).toBe('J-r2');
  });
});
