// 100 jobs at once, a random third of them cancelled at a random moment: each ends in exactly one terminal
// state, and that state agrees with the trainer's own record of what it did.
import { describe, expect, it } from 'vitest';
import type { Job } from '#domain/schemas';
import { makeDatasetZip } from '#support/dataset-zip';
import { EmulatorClient } from '#support/emulator-client';
import { eventually } from '#support/poll';
import { useCloudSession } from '#support/cloud-session';

const JOBS = 100;
const TERMINAL = ['COMPLETED', 'FAILED', 'CANCELLED'];

/** Signed in as alice. */
const session = useCloudSession('many', { stepsPerSecond: 1000 });

/** A small seeded generator, so a failing run can be repeated. */
function random(seed: number) {
  return () => {
    seed = (seed * 1664525 + 1013904223) % 2 ** 32;
    return seed / 2 ** 32;
  };
}

describe('100 concurrent jobs with random cancels', () => {
  it('ends each job in one terminal state consistent with what the trainer did', async () => {
    const seed = Number(process.env.LORAWORKS_TEST_SEED ?? Date.now() % 100_000);
    const rand = random(seed);
    const { dataset, version } = await session.client.uploadDataset(await makeDatasetZip({ images: 4, size: 64 }));
    expect((await session.feed.datasetVersion(dataset.id, version, ['READY', 'INVALID'])).status).toBe('READY');

    const run = Date.now().toString(36);
    const plans = Array.from({ length: JOBS }, (_, i) => ({
      trigger: `many-${run}-${i}`,
      steps: 200 + Math.floor(rand() * 1300),
      cancelAfterMs: rand() < 0.35 ? Math.floor(rand() * 4000) : undefined,
    }));
    const jobs = await Promise.all(plans.map(async (plan) => {
      const job = await session.client.expect<Job>(201, 'POST', '/jobs', { trainerId: 'fal-ai/flux-lora-fast-training', datasetId: dataset.id, triggerPhrase: plan.trigger, params: { steps: plan.steps } });
      if (plan.cancelAfterMs !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, plan.cancelAfterMs));
        const res = await session.client.request<Job>('POST', `/jobs/${job.id}/cancel`);
        // 409: it had already finished, which is a fine outcome of a race.
        expect([202, 409], `cancel of ${job.id}: ${JSON.stringify(res.body)}`).toContain(res.status);
      }
      return { plan, job };
    }));

    const final = await eventually(async () => {
      const { jobs: listed } = await session.client.expect<{ jobs: Job[] }>(200, 'GET', '/jobs?limit=100');
      const ours = listed.filter((j) => j.datasetId === dataset.id);
      return ours.length === JOBS && ours.every((j) => TERMINAL.includes(j.status)) ? ours : undefined;
    }, `all ${JOBS} jobs to finish (seed ${seed})`, 240_000);

    // The pushes trail the table: wait for each job's terminal message too.
    await Promise.all(jobs.map(({ job }) => session.feed.next((m) => m.type === 'job' && m.job.id === job.id && TERMINAL.includes(m.job.status), `the push of ${job.id}'s end`, 30_000)));
    const trainer = await new EmulatorClient(session.cloud.emulatorUrl).requests();
    const summary: Record<string, number> = {};
    for (const { plan, job } of jobs) {
      const end = final.find((j) => j.id === job.id)!;
      const records = trainer.filter((r) => r.input.trigger_word === plan.trigger);
      const what = `job ${job.id} (seed ${seed}, cancel ${plan.cancelAfterMs ?? 'none'}): ${end.status} ${JSON.stringify(end.error ?? '')}; trainer ${JSON.stringify(records.map((r) => [r.status, r.cancelRequested, r.step, r.totalSteps]))}; pushes ${JSON.stringify(session.feed.jobMessages(job.id).map((j) => [j.status, j.progress.fraction, j.progress.message]))}`;
      summary[`${end.status}${end.completedBeforeCancel ? '(before cancel)' : ''}`] = (summary[`${end.status}${end.completedBeforeCancel ? '(before cancel)' : ''}`] ?? 0) + 1;

      // Never submitted twice, and nothing left running at the trainer.
      expect(records.length, what).toBeLessThanOrEqual(1);
      const remote = records[0];
      if (remote) expect(['COMPLETED', 'CANCELLED'], what).toContain(remote.status);

      // One terminal state, reached once: the pushes show no second terminal status.
      const terminals = new Set(session.feed.jobMessages(job.id).filter((j) => TERMINAL.includes(j.status)).map((j) => j.status));
      expect([...terminals], what).toEqual([end.status]);

      switch (end.status) {
        case 'COMPLETED':
          expect(remote?.status, what).toBe('COMPLETED');
          expect(end.artifact?.sha256, what).toMatch(/^[0-9a-f]{64}$/);
          if (plan.cancelAfterMs === undefined) expect(end.completedBeforeCancel, what).toBeUndefined();
          break;
        case 'CANCELLED':
          expect(plan.cancelAfterMs, what).toBeDefined();
          // Cancelled before submission (no request) or stopped at the trainer.
          if (remote) expect(remote.status, what).toBe('CANCELLED');
          break;
        default:
          throw new Error(`No job should fail here: ${what}`);
      }

      // Progress only ever moved forward.
      const fractions = session.feed.jobMessages(job.id).map((j) => j.progress.fraction);
      expect([...fractions].sort((a, b) => a - b), what).toEqual(fractions);
    }
    console.log(`100 concurrent jobs (seed ${seed}): ${JSON.stringify(summary)}`);
  }, 300_000);
});
