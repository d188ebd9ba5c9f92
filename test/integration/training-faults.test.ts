// The training workflow against a trainer that misbehaves (the emulator's injected faults), and cancels at
// every phase: each job ends in the one terminal state that matches what the trainer did.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseSafetensorsHeader } from '#domain/safetensors';
import type { Job } from '#domain/schemas';
import { makeDatasetZip } from '#support/dataset-zip';
import { EmulatorClient } from '#support/emulator-client';
import { eventually } from '#support/poll';
import { useCloudSession } from '#support/cloud-session';

const TRAINER = 'fal-ai/flux-lora-fast-training';
const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED'];

/** Signed in as alice. */
const session = useCloudSession('faults', { stepsPerSecond: 200 });
let emulator: EmulatorClient;
let datasetId: string;

beforeAll(async () => {
  emulator = new EmulatorClient(session.cloud.emulatorUrl);
  const { dataset, version } = await session.client.uploadDataset(await makeDatasetZip({ images: 4, size: 64 }));
  expect((await session.feed.datasetVersion(dataset.id, version, ['READY', 'INVALID'])).status).toBe('READY');
  datasetId = dataset.id;
});

let counter = 0;
/** Starts a job with its own trigger phrase, after registering the faults its submission will meet. */
async function startJob(name: string, steps: number, faults?: Record<string, unknown>): Promise<{ job: Job; trigger: string }> {
  const trigger = `ohwx-${name}-${++counter}-${Date.now().toString(36)}`;
  if (faults) await emulator.inject(trigger, faults);
  const job = await session.client.expect<Job>(201, 'POST', '/jobs', { trainerId: TRAINER, datasetId, triggerPhrase: trigger, params: { steps } });
  return { job, trigger };
}

async function finished(id: string, timeoutMs = 90_000): Promise<Job> {
  const message = await session.feed.next((m) => m.type === 'job' && m.job.id === id && TERMINAL.includes(m.job.status), `job ${id} to finish`, timeoutMs);
  return (message as Extract<typeof message, { type: 'job' }>).job;
}

/** Exactly one request reached the trainer for this job, and it ended in `status`. */
async function trainerRecord(trigger: string, status?: string) {
  const records = await emulator.requestsFor(trigger);
  expect(records, `trainer requests for ${trigger}`).toHaveLength(1);
  if (status) await eventually(async () => (await emulator.requestsFor(trigger))[0]?.status === status, `the trainer to record ${status}`, 20_000);
  return (await emulator.requestsFor(trigger))[0]!;
}

function expectMonotonic(id: string) {
  const progress = session.feed.jobMessages(id).map((j) => j.progress);
  const fractions = progress.map((p) => p.fraction);
  expect([...fractions].sort((a, b) => a - b), `fractions of ${id}`).toEqual(fractions);
  const steps = progress.flatMap((p) => (p.step === undefined ? [] : [p.step]));
  expect([...steps].sort((a, b) => a - b), `steps of ${id}`).toEqual(steps);
}

describe.concurrent('a trainer that misbehaves', () => {
  it('rides out a burst of 503s on status with retries, and completes', async () => {
    const { job, trigger } = await startJob('status503', 300, { errorBursts: { status: { count: 2, status: 503 } } });
    const done = await finished(job.id);
    expect(done.status, JSON.stringify(done.error)).toBe('COMPLETED');
    const record = await trainerRecord(trigger, 'COMPLETED');
    expect(record.faultsApplied?.filter((f) => f.fault === 'error-burst')).toHaveLength(2);
    expectMonotonic(job.id);
  });

  it('rides out 429s on submit and submits exactly once', async () => {
    const { job, trigger } = await startJob('submit429', 200, { errorBursts: { submit: { count: 2, status: 429 } } });
    expect((await finished(job.id)).status).toBe('COMPLETED');
    await trainerRecord(trigger, 'COMPLETED');
  });

  it('retries a status call that times out', async () => {
    const { job, trigger } = await startJob('timeout', 200, { delays: { status: { ms: 25_000, count: 1 } } });
    expect((await finished(job.id)).status).toBe('COMPLETED');
    expect((await trainerRecord(trigger, 'COMPLETED')).faultsApplied?.some((f) => f.fault === 'delay')).toBe(true);
  });

  it('retries answers that are not JSON or lack their fields', async () => {
    const { job, trigger } = await startJob('malformed', 200, {
      malformed: { status: { kind: 'missing-fields', count: 1 }, result: { kind: 'invalid-json', count: 1 } },
    });
    const done = await finished(job.id);
    expect(done.status, JSON.stringify(done.error)).toBe('COMPLETED');
    await trainerRecord(trigger, 'COMPLETED');
  });

  it('fails a job the trainer forgot (404) with a message saying to start it again', async () => {
    const { job } = await startJob('forgotten', 2000, { forgetAtStep: 100 });
    const done = await finished(job.id);
    expect(done.status).toBe('FAILED');
    expect(done.error?.code).toBe('TRAINER_LOST_JOB');
    expect(done.error?.message).toMatch(/start the job again/i);
  });

  it('fails at the step the trainer crashed, with the trainer’s reason', async () => {
    const { job, trigger } = await startJob('crash', 1000, { failAtStep: 120, message: 'CUDA out of memory at step 120' });
    const done = await finished(job.id);
    expect(done.status).toBe('FAILED');
    expect(done.error).toMatchObject({ code: 'TRAINER_FAILED', message: expect.stringContaining('CUDA out of memory') });
    expect(done.progress.step ?? 0).toBeLessThanOrEqual(120);
    await trainerRecord(trigger, 'FAILED');
    expectMonotonic(job.id);
  });

  it('streams a large, slow LoRA into storage with its size, sha256 and the training facts', async () => {
    const { job, trigger } = await startJob('large', 200, { loraMegabytes: 24, downloadKBps: 16_384 });
    const done = await finished(job.id, 120_000);
    expect(done.status, JSON.stringify(done.error)).toBe('COMPLETED');
    expect(done.artifact!.sizeBytes).toBeGreaterThan(24 * 1024 * 1024);
    const link = await session.client.expect<{ url: string; sha256: string; sizeBytes: number }>(200, 'GET', `/jobs/${job.id}/artifact`);
    const file = Buffer.from(await (await fetch(link.url)).arrayBuffer());
    expect(file.length).toBe(link.sizeBytes);
    const { createHash } = await import('node:crypto');
    expect(createHash('sha256').update(file).digest('hex')).toBe(link.sha256);
    const header = parseSafetensorsHeader(file);
    expect(header.metadata).toMatchObject({
      'loraworks.job_id': job.id, 'loraworks.trainer': TRAINER, 'modelspec.trigger_phrase': trigger, 'loraworks.steps': '200',
      'loraworks.dataset_id': datasetId, 'loraworks.dataset_version': '1', 'loraworks.dataset_sha256': expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    await trainerRecord(trigger, 'COMPLETED');
  });
});

describe('the workflow’s own limits', () => {
  it.each([
    { when: 'the training outlives its deadline', setting: 'MAX_DURATION_SECONDS', name: 'deadline', says: '3 seconds' },
    { when: 'the poll budget is spent', setting: 'MAX_POLLS', name: 'budget', says: '3 status checks' },
  ])('cancels the remote job and fails with a message once $when', async ({ setting, name, says }) => {
    process.env[setting] = '3';
    try {
      const { job, trigger } = await startJob(name, 10_000);
      const done = await finished(job.id);
      expect(done.status).toBe('FAILED');
      expect(done.error).toMatchObject({ code: 'TRAINING_TIMEOUT', message: expect.stringContaining(says) });
      expect((await trainerRecord(trigger, 'CANCELLED')).cancelRequested).toBe(true);
    } finally {
      delete process.env[setting];
    }
  });
});

describe('cancelling at every phase', () => {
  it('before the trainer accepted it: ends CANCELLED and the trainer never has it', async () => {
    // The trainer refuses the first submits (429), so the workflow is still retrying Submit when the cancel
    // lands; a submit had started, so the cancel is CANCELLING until the workflow's next Submit ends it there.
    const { job, trigger } = await startJob('before', 100, { errorBursts: { submit: { count: 6, status: 429 } } });
    const cancelling = await session.client.expect<Job>(202, 'POST', `/jobs/${job.id}/cancel`);
    expect(['CANCELLING', 'CANCELLED']).toContain(cancelling.status);
    expect((await finished(job.id)).status).toBe('CANCELLED');
    // Give the workflow's next Submit attempt its chance: it must see the cancel and call no one.
    await eventually(async () => session.cloud.executionsOf(job.id).every((e) => e.status !== 'RUNNING'), 'the workflow to end', 30_000);
    expect(await emulator.requestsFor(trigger)).toEqual([]);
    expect((await session.client.expect<Job>(200, 'GET', `/jobs/${job.id}`)).status).toBe('CANCELLED');
  });

  it('queued at the trainer, and running: both end CANCELLED, and so does the trainer', async () => {
    // Four long trainings fill the emulator's four slots, so a fifth waits in its queue.
    const blockers = await Promise.all([1, 2, 3, 4].map((i) => startJob(`blocker${i}`, 10_000)));
    await Promise.all(blockers.map(({ job }) => session.feed.job(job.id, 'RUNNING')));
    const { job: queued, trigger } = await startJob('queued', 100);
    await session.feed.next((m) => m.type === 'job' && m.job.id === queued.id && m.job.progress.queuePosition !== undefined, 'a queue position');
    expect((await session.client.expect<Job>(202, 'POST', `/jobs/${queued.id}/cancel`)).status).toBe('CANCELLING');
    expect((await finished(queued.id)).status).toBe('CANCELLED');
    expect((await trainerRecord(trigger, 'CANCELLED')).step).toBe(0);

    await Promise.all(blockers.map(({ job }) => session.client.expect<Job>(202, 'POST', `/jobs/${job.id}/cancel`)));
    for (const { job, trigger: t } of blockers) {
      expect((await finished(job.id)).status).toBe('CANCELLED');
      await trainerRecord(t, 'CANCELLED');
    }
  });

  it('while the trainer ignores the cancel for a while: keeps asking, then ends CANCELLED', async () => {
    const { job, trigger } = await startJob('ignored', 10_000, { cancelIgnoredSeconds: 3 });
    await session.feed.job(job.id, 'RUNNING');
    await session.client.expect<Job>(202, 'POST', `/jobs/${job.id}/cancel`);
    const done = await finished(job.id);
    expect(done.status).toBe('CANCELLED');
    const record = await trainerRecord(trigger, 'CANCELLED');
    expect(record.faultsApplied?.some((f) => f.fault === 'cancel-ignored')).toBe(true);
  });

  it('while collecting: keeps the LoRA and says it completed before the cancel took effect', async () => {
    const { job, trigger } = await startJob('collecting', 100, { loraMegabytes: 8, downloadKBps: 2048 });
    await session.feed.next((m) => m.type === 'job' && m.job.id === job.id && m.job.progress.fraction === 1 && m.job.status === 'RUNNING', 'the trainer to finish');
    await session.client.expect<Job>(202, 'POST', `/jobs/${job.id}/cancel`);
    const done = await finished(job.id);
    expect(done).toMatchObject({ status: 'COMPLETED', completedBeforeCancel: true });
    await session.client.expect(200, 'GET', `/jobs/${job.id}/artifact`);
    await trainerRecord(trigger, 'COMPLETED');
  });

  for (const mode of ['accepted', 'already-completed'] as const) {
    it(`racing completion (the trainer answers the cancel as ${mode}): keeps the LoRA`, async () => {
      const { job, trigger } = await startJob(`race-${mode}`, 10_000, { completeOnCancel: mode });
      await session.feed.job(job.id, 'RUNNING');
      await session.client.expect<Job>(202, 'POST', `/jobs/${job.id}/cancel`);
      const done = await finished(job.id);
      expect(done, JSON.stringify(done.error)).toMatchObject({ status: 'COMPLETED', completedBeforeCancel: true });
      await session.client.expect(200, 'GET', `/jobs/${job.id}/artifact`);
      await trainerRecord(trigger, 'COMPLETED');
    });
  }
});
