// What a job will cost and how long it will take, before it starts: the trainer's price model applied to the job's
// steps, and its duration model. Always an estimate: `basis` says which price and how it was applied, and says
// "assumed" where the price or the time is Loraworks' assumption rather than the provider's published figure.
import type { JobRecord } from './job-lifecycle';
import type { JobEstimate, ParamValues, Trainer, TrainerDuration, TrainerPrice } from './schemas';
import { ASSUMED_DURATIONS, ASSUMED_PRICES } from './trainers/pricing';
import { trainerSpec } from './trainers/index';

/** The step count assumed where a job sets none (a trainer left to its own default). */
export const ASSUMED_STEPS = 1000;

type Priced = Pick<Trainer, 'provider' | 'name'> & { price?: TrainerPrice; duration?: TrainerDuration };

const usd = (amount: number) => (amount >= 0.01 || amount === 0
  ? `$${amount.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`
  : `$${Number(amount.toPrecision(4))}`);
const count = (n: number) => n.toLocaleString('en-US');
const cents = (amount: number) => Math.round(amount * 100) / 100;

const providerName = (provider: Trainer['provider']) => (provider === 'replicate' ? 'Replicate' : 'fal');

function priceText(price: TrainerPrice, unit: string): string {
  const per = price.per ?? 1;
  return per === 1 ? `${usd(price.usd)} per ${unit}` : `${usd(price.usd)} per ${count(per)} ${unit}s`;
}

/** The price as the catalog shows it: "fal's $2.40 per 1,000 steps", "an assumed $0.005 per step", "Replicate's $0.001525 per second". */
export function priceSummary(trainer: Priced): string {
  const price = trainer.price ?? ASSUMED_PRICES.generic;
  const whose = price.assumed ? 'an assumed' : `${providerName(trainer.provider)}'s`;
  return `${whose} ${price.unit === 'run' ? `${usd(price.usd)} per run` : priceText(price, price.unit)}`;
}

/** The steps a job runs: its `steps` value, else the assumed default (and the basis says so). */
function stepsOf(values: ParamValues): { steps: number; assumed: boolean } {
  const steps = values.steps;
  return typeof steps === 'number' && steps > 0 ? { steps, assumed: false } : { steps: ASSUMED_STEPS, assumed: true };
}

export interface EstimateOptions {
  /** The steps a finished job ran, instead of those it asked for. */
  stepsRun?: number;
}

/** The estimated cost (USD, to the cent) and duration of a run of `trainer` with the checked `values`. */
export function estimateJob(trainer: Priced, values: ParamValues, options: EstimateOptions = {}): JobEstimate {
  const price = trainer.price ?? ASSUMED_PRICES.generic;
  const duration = trainer.duration ?? ASSUMED_DURATIONS.image;
  const asked = stepsOf(values);
  const steps = options.stepsRun ?? asked.steps;
  const stepsText = options.stepsRun === undefined
    ? `${count(steps)} steps${asked.assumed ? ' (none set; assumed)' : ''}`
    : `the ${count(steps)} steps it ran`;
  const durationSeconds = Math.round(duration.setupSeconds + duration.secondsPerStep * steps);
  const whose = price.assumed ? 'an assumed' : `${providerName(trainer.provider)}'s`;
  let costUsd: number;
  let applied: string;
  if (price.unit === 'step') {
    costUsd = (price.usd * steps) / (price.per ?? 1);
    applied = `${whose} ${priceText(price, 'step')} × ${stepsText}`;
  } else if (price.unit === 'run') {
    costUsd = price.usd;
    applied = `${whose} ${usd(price.usd)} per run, whatever its steps (${stepsText})`;
  } else {
    costUsd = (price.usd * durationSeconds) / (price.per ?? 1);
    applied = `${whose} ${priceText(price, 'second')} × about ${count(durationSeconds)} s of training (${stepsText})`;
  }
  const time = `the time assumes ${duration.setupSeconds} s to start and ${duration.secondsPerStep} s per step (not measured)`;
  return { costUsd: cents(costUsd), durationSeconds, basis: `Estimate: ${applied}; ${time}. Source: ${price.source}.` };
}

/** The steps a completed job ran: the last step its trainer reported, else its total, else what it asked for. */
export function stepsRan(job: Pick<JobRecord, 'progress' | 'params'>): number | undefined {
  return job.progress.step ?? job.progress.totalSteps ?? (typeof job.params.steps === 'number' ? job.params.steps : undefined);
}

/** A completed job with its estimate recomputed for the steps it ran; any other job keeps the one made at its start. */
export function settleEstimate(job: JobRecord): JobRecord {
  if (!job.estimate || job.status !== 'COMPLETED') return job;
  const estimate = estimateJob(trainerSpec(job.trainerId), job.params, { stepsRun: stepsRan(job) ?? stepsOf(job.params).steps });
  return { ...job, estimate };
}
