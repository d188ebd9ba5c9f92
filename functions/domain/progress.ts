// Reads training progress from a trainer's log lines (tqdm bars, "step n/N"), and merges progress so it never
// moves backwards even when polls arrive out of order or a trainer's logs are missing from one poll.
import type { Progress } from './schemas';

/** One line (or several, newline-separated) of a trainer's log, with its ISO 8601 time when known. */
export interface LogLine {
  message: string;
  timestamp?: string;
}

export interface StepReading {
  step?: number;
  totalSteps?: number;
  fraction?: number;
  etaSeconds?: number;
}

// tqdm: "Steps:  12%|█▏        | 120/1000 [00:33<04:02, 3.62it/s]" (the description prefix varies by trainer).
const TQDM = /(\d{1,3}(?:\.\d+)?)%\s*\|[^|\n]*\|\s*(\d+)\s*\/\s*(\d+)/;
// "step 120/1000", "Step: 120 / 1000", "global step 120 of 1000", "steps=120/1000".
const STEP_WORD = /\bsteps?\s*[:=]?\s*(\d+)\s*(?:\/|of)\s*(\d+)/i;
// A bare tqdm counter: "120/1000 [00:33<04:02".
const COUNTER = /(?:^|[\s|])(\d+)\s*\/\s*(\d+)\s*\[/;
// A percentage bar with no counter: "Steps: 12%|".
const PERCENT = /(\d{1,3}(?:\.\d+)?)%\s*\|/;
// tqdm's "[elapsed<remaining" part.
const REMAINING = /\[\s*(?:\d+:)*\d+\s*<\s*((?:\d+:)*\d+)/;

const clamp01 = (value: number) => Math.min(1, Math.max(0, value));

function clockSeconds(clock: string): number {
  return clock.split(':').reduce((total, part) => total * 60 + Number(part), 0);
}

function counter(step: number, total: number): StepReading | undefined {
  if (!(total > 0) || step > total) return undefined;
  return { step, totalSteps: total, fraction: step / total };
}

/** Reads one log line; undefined when it says nothing about training progress. */
export function parseStepLine(line: string): StepReading | undefined {
  let reading: StepReading | undefined;
  const tqdm = TQDM.exec(line);
  const word = STEP_WORD.exec(line);
  const bare = COUNTER.exec(line);
  if (tqdm) reading = counter(Number(tqdm[2]), Number(tqdm[3]));
  else if (word) reading = counter(Number(word[1]), Number(word[2]));
  else if (bare) reading = counter(Number(bare[1]), Number(bare[2]));
  else {
    const percent = PERCENT.exec(line);
    if (percent && Number(percent[1]) <= 100) reading = { fraction: Number(percent[1]) / 100 };
  }
  if (!reading) return undefined;
  const remaining = REMAINING.exec(line);
  if (remaining?.[1]) reading.etaSeconds = clockSeconds(remaining[1]);
  return reading;
}

const seconds = (timestamp?: string) => {
  if (!timestamp) return undefined;
  // A timestamp without a zone ("2024-12-20T15:37:17.120314") is read as UTC.
  const value = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(timestamp) ? timestamp : `${timestamp}Z`);
  return Number.isFinite(value) ? value / 1000 : undefined;
};

/** The latest progress the logs show, with an ETA from the step rate between timestamped lines. */
export function parseLogs(logs: readonly LogLine[]): StepReading | undefined {
  let latest: StepReading | undefined;
  let first: { step: number; at: number } | undefined;
  let last: { step: number; at: number } | undefined;
  for (const log of logs) {
    for (const line of log.message.split(/[\r\n]+/)) {
      const reading = parseStepLine(line);
      if (!reading) continue;
      if (latest?.totalSteps !== undefined && reading.totalSteps !== undefined && reading.totalSteps !== latest.totalSteps) {
        first = undefined; // a new progress bar (another phase) started: rates from the old one do not apply
      }
      latest = reading;
      const at = seconds(log.timestamp);
      if (reading.step !== undefined && at !== undefined) {
        first ??= { step: reading.step, at };
        last = { step: reading.step, at };
      }
    }
  }
  if (latest && latest.etaSeconds === undefined && first && last && latest.totalSteps !== undefined && last.at > first.at && last.step > first.step) {
    const rate = (last.step - first.step) / (last.at - first.at);
    latest.etaSeconds = Math.round((latest.totalSteps - last.step) / rate);
  }
  return latest;
}

/** Progress as a trainer's logs show it. `running` adds the step message; `eta` keeps the time left (a
 * training that has ended has none left). */
export function progressFromReading(reading: StepReading | undefined, { running, eta }: { running: boolean; eta: boolean }): Progress {
  const progress: Progress = { fraction: clamp01(reading?.fraction ?? 0) };
  if (reading?.step !== undefined) progress.step = reading.step;
  if (reading?.totalSteps !== undefined) progress.totalSteps = reading.totalSteps;
  if (reading?.etaSeconds !== undefined && eta) progress.etaSeconds = reading.etaSeconds;
  if (running) {
    progress.message = progress.step !== undefined ? `Training: step ${progress.step} of ${progress.totalSteps}.` : 'Training started.';
  }
  return progress;
}

/** The progress of a training the trainer reports finished: all steps done. */
export function finishedProgress(progress: Progress): Progress {
  const done = { ...progress, fraction: 1, message: 'Training finished.' };
  if (done.totalSteps !== undefined) done.step = done.totalSteps;
  return done;
}

/** Combines an earlier progress with a newer one: fraction and step never go down, a queue position never
 * goes up, and a job that has started training no longer shows a queue position. */
export function mergeProgress(previous: Progress | undefined, next: Progress): Progress {
  if (!previous) return { ...next };
  const nextAhead = next.fraction >= previous.fraction;
  const merged: Progress = { fraction: Math.max(previous.fraction, next.fraction) };

  const sameBar = previous.totalSteps === next.totalSteps;
  let counterSource: Progress | undefined;
  if (next.step !== undefined && previous.step !== undefined) {
    counterSource = sameBar ? (next.step >= previous.step ? next : previous) : nextAhead ? next : previous;
  } else {
    counterSource = next.step !== undefined ? next : previous.step !== undefined ? previous : undefined;
  }
  if (counterSource?.step !== undefined) {
    merged.step = counterSource.step;
    if (counterSource.totalSteps !== undefined) merged.totalSteps = counterSource.totalSteps;
  }

  const started = merged.step !== undefined || merged.fraction > 0;
  if (!started) {
    const positions = [previous.queuePosition, next.queuePosition].filter((value): value is number => value !== undefined);
    if (positions.length > 0) merged.queuePosition = Math.min(...positions);
  }

  const eta = nextAhead ? next.etaSeconds : previous.etaSeconds ?? next.etaSeconds;
  if (eta !== undefined) merged.etaSeconds = eta;
  const message = nextAhead ? next.message ?? previous.message : previous.message ?? next.message;
  if (message !== undefined) merged.message = message;
  return merged;
}
