// Cost and time before a job starts: each trainer's price model applied to the job's steps, a basis sentence that
// says which price and how, "assumed" wherever the figure is not the provider's own, and a completed job's
// estimate recomputed for the steps it ran.
import { describe, expect, it } from 'vitest';
import { estimateJob, priceSummary, settleEstimate } from '#domain/estimates';
import type { JobRecord } from '#domain/job-lifecycle';
import { fallbackTrainers, genericTrainer } from '#domain/trainer-catalog';
import { trainerSpecs } from '#domain/trainers/index';

const trainer = (id: string) => fallbackTrainers.find((t) => t.id === id)!;

describe('estimateJob', () => {
  it('applies fal\'s published per-step price to the job\'s steps and says so', () => {
    const estimate = estimateJob(trainer('fal-ai/turbo-flux-trainer'), { steps: 1500 });
    expect(estimate.costUsd).toBe(3.6);
    expect(estimate.basis).toMatch(/^Estimate: fal's \$2\.40 per 1,000 steps × 1,500 steps; /);
    expect(estimate.basis).toContain('https://fal.ai/models/fal-ai/turbo-flux-trainer/llms.txt');
    expect(estimate.durationSeconds).toBe(60 + 0.3 * 1500);
    expect(estimate.basis).toMatch(/the time assumes 60 s to start and 0\.3 s per step \(not measured\)/);
  });

  it('prices FLUX.2 at 0.0064 × steps, and FLUX.1 fast at $2 per 1,000 steps', () => {
    expect(estimateJob(trainer('fal-ai/flux-2-trainer'), { steps: 1000 })).toMatchObject({ costUsd: 6.4, basis: expect.stringContaining("fal's $0.0064 per step × 1,000 steps") });
    expect(estimateJob(trainer('fal-ai/flux-lora-fast-training'), { steps: 2500 }).costUsd).toBe(5);
  });

  it('charges a per-run price whatever the steps', () => {
    const short = estimateJob(trainer('fal-ai/flux-krea-trainer'), { steps: 100 });
    const long = estimateJob(trainer('fal-ai/flux-krea-trainer'), { steps: 4000 });
    expect([short.costUsd, long.costUsd]).toEqual([2, 2]);
    expect(long.durationSeconds).toBeGreaterThan(short.durationSeconds);
    expect(long.basis).toMatch(/fal's \$2\.00 per run, whatever its steps \(4,000 steps\)/);
  });

  it('prices Replicate by the second of its assumed duration', () => {
    const estimate = estimateJob(trainer('replicate/ostris/flux-dev-lora-trainer'), { steps: 1000 });
    expect(estimate.durationSeconds).toBe(120 + 1.5 * 1000);
    expect(estimate.costUsd).toBe(Math.round(0.001525 * 1620 * 100) / 100);
    expect(estimate.basis).toMatch(/Replicate's \$0\.001525 per second × about 1,620 s of training \(1,000 steps\)/);
  });

  it('says "assumed" where the provider publishes no price, and for a trainer Loraworks does not describe', () => {
    expect(estimateJob(trainer('fal-ai/hunyuan-video-lora-training'), { steps: 1000 }).basis).toMatch(/^Estimate: an assumed \$0\.005 per step × 1,000 steps;.*Source: assumed: no price published for fal-ai\/hunyuan-video-lora-training/);
    const generic = estimateJob(genericTrainer('fal-ai/someone-new-trainer'), {});
    expect(generic.basis).toMatch(/an assumed \$2\.00 per 1,000 steps × 1,000 steps \(none set; assumed\)/);
    expect(generic.costUsd).toBe(2);
  });

  it('sums up each price model as the catalog shows it', () => {
    expect(priceSummary(trainer('fal-ai/turbo-flux-trainer'))).toBe("fal's $2.40 per 1,000 steps");
    expect(priceSummary(trainer('fal-ai/flux-krea-trainer'))).toBe("fal's $2.00 per run");
    expect(priceSummary(trainer('fal-ai/qwen-image-trainer'))).toBe('an assumed $0.002 per step');
    expect(priceSummary(trainer('replicate/ostris/flux-dev-lora-trainer'))).toBe("Replicate's $0.001525 per second");
  });

  it('has a price and a duration for every described trainer, each citing a source and a date', () => {
    for (const spec of trainerSpecs) {
      expect(spec.price.source, spec.id).toMatch(/https:\/\//);
      expect(spec.price.asOf, spec.id).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      if (spec.price.assumed) expect(spec.price.source, spec.id).toMatch(/^assumed: /);
      expect(spec.duration.source, spec.id).toMatch(/^assumed \(not measured\)/);
    }
    expect(fallbackTrainers.every((t) => t.price && t.duration)).toBe(true);
  });
});

describe('a completed job\'s estimate', () => {
  const job = (patch: Partial<JobRecord>): JobRecord => ({
    id: 'j1', owner: 'alice', status: 'COMPLETED', trainerId: 'fal-ai/turbo-flux-trainer', datasetId: 'ds1', datasetVersion: 1, triggerPhrase: 'tok',
    params: { steps: 1000 }, origin: 'web', progress: { fraction: 1 }, createdAt: '2026-01-01T00:00:00.000Z', updatedAt: '2026-01-01T00:00:00.000Z',
    estimate: { costUsd: 2.4, durationSeconds: 360, basis: 'at start' }, ...patch,
  });

  it('is recomputed for the steps it ran (the trainer\'s last step), else for its steps', () => {
    const settled = settleEstimate(job({ progress: { fraction: 1, step: 500, totalSteps: 1000 } }));
    expect(settled.estimate).toMatchObject({ costUsd: 1.2, basis: expect.stringContaining('× the 500 steps it ran') });
    expect(settleEstimate(job({})).estimate).toMatchObject({ costUsd: 2.4, basis: expect.stringContaining('× the 1,000 steps it ran') });
  });

  it('stays as made at the start while the job has not completed, and stays absent on a job that had none', () => {
    const running = job({ status: 'RUNNING', progress: { fraction: 0.5, step: 500 } });
    expect(settleEstimate(running).estimate).toEqual(running.estimate);
    expect(settleEstimate(job({ estimate: undefined })).estimate).toBeUndefined();
  });
});
