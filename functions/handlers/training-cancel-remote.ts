// CancelRemote: asks the trainer to stop. If it had already finished, the LoRA is collected instead and the
// job completes (the record says the cancel came too late).
import { config } from '../adapters/config';
import { updateJob } from '../adapters/job-store';
import { loadTask } from '../adapters/training-jobs';
import { providerFor } from '../adapters/trainers';
import { cancelled, isTerminal, type JobRecord } from '../domain/job-lifecycle';
import type { TrainingState } from '../domain/training-state';

const endCancelled = async (job: JobRecord, state: TrainingState): Promise<TrainingState> => {
  const now = new Date();
  await updateJob(job, (current) => (isTerminal(current.status) ? null : cancelled(current, now)));
  return { ...state, phase: 'done' };
};

export const handler = async (input: unknown): Promise<TrainingState> => {
  const { state, job } = await loadTask(input);
  const polls = state.polls + 1;
  if (isTerminal(job.status)) return { ...state, phase: 'done' };
  if (!job.remote) return endCancelled(job, state);

  const provider = await providerFor(job.remote);
  const outcome = await provider.cancel(job.remote);
  if (outcome === 'cancelled' || outcome === 'not-found') return endCancelled(job, state);

  const status = await provider.status(job.remote);
  if (status.state === 'completed') return { ...state, polls, phase: 'completed', waitSeconds: 0 };
  if (outcome === 'already-completed' || status.state === 'cancelled' || status.state === 'failed') return endCancelled(job, state);
  // Requested but still running: look again shortly, within the same budget as polling.
  if (polls >= config.maxPolls) return endCancelled(job, state);
  return { ...state, polls, phase: 'cancelling', waitSeconds: config.pollMinSeconds };
};
