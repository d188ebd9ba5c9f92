// The log line a training writes at each step, in the form the provider's client reads progress from.
import type { EmulatedProtocol } from './request';

const clock = (seconds: number) => `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(Math.floor(seconds % 60)).padStart(2, '0')}`;

export function stepLine(protocol: EmulatedProtocol, step: number, totalSteps: number, stepsPerSecond: number): string {
  if (protocol === 'fal') return `step ${step}/${totalSteps}`;
  // The flux trainer's tqdm bar (ostris/ai-toolkit, job name flux_train_replicate).
  const fraction = totalSteps > 0 ? step / totalSteps : 0;
  const filled = Math.floor(fraction * 10);
  const rate = stepsPerSecond;
  return `flux_train_replicate: ${String(Math.floor(fraction * 100)).padStart(3)}%|${'#'.repeat(filled)}${' '.repeat(10 - filled)}| ${step}/${totalSteps} `
    + `[${clock(step / rate)}<${clock((totalSteps - step) / rate)}, ${rate.toFixed(2)}it/s, lr: 4.0e-04 loss: 3.1e-01]`;
}
