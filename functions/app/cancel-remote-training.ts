// CancelRemote: asks the trainer to stop, then watches until it has. If it had already finished, the LoRA is
// collected instead and the job completes (the record says the cancel came too late).
import { cancelled, isTerminal, type JobRecord } from '#domain/job-lifecycle';
import type { RemoteStatus } from '#domain/remote-job';
import type { TrainingState } from '#domain/training-state';
import { config } from '#adapters/config';
import { providerFor } from '#adapters/trainers';
import { TrainerRejected, type CancelOutcome } from '#providers/provider';
import { finishJob } from './finish-job';
import { loadTrainingJob } from './load-training-job';

/** While a trainer takes its time over a cancel, it is asked again every this many checks (not every one:
 * a cancel is one request, and some trainers restart their grace period on each). */
const ASK_AGAIN_EVERY = 10;

const endCancelled = async (job: JobRecord, state: TrainingState): Promise<TrainingState> => {
  const now = new Date();
  await finishJob(job, (current) => cancelled(current, now));
  const { cancelChecks: _checks, ...rest } = state;
  return { ...rest, phase: 'done' };
};

export async function cancelRemoteTraining(state: TrainingState): Promise<TrainingState> {
  const job = await loadTrainingJob(state);
  const polls = state.polls + 1;
  if (isTerminal(job.status)) return { ...state, phase: 'done' };
  if (!job.remote) return endCancelled(job, state);

  const provider = await providerFor(job.remote);
  const checks = state.phase === 'cancelling' ? (state.cancelChecks ?? 0) + 1 : 0;
  let outcome: CancelOutcome | undefined;
  if (checks % ASK_AGAIN_EVERY === 0) {
    outcome = await provider.cancel(job.remote);
    if (outcome === 'cancelled' || outcome === 'not-found') return endCancelled(job, state);
  }

  let status: RemoteStatus;
  try {
    status = await provider.status(job.remote);
  } catch (error) {
    // The trainer forgot the job while it was being cancelled: there is nothing left to stop.
    if (error instanceof TrainerRejected && error.code === 'TRAINER_NOT_FOUND') return endCancelled(job, state);
    throw error;
  }
  if (status.state === 'completed') return { ...state, polls, phase: 'completed', waitSeconds: 0 };
  if (outcome === 'already-completed' || status.state === 'cancelled' || status.state === 'failed') return endCancelled(job, state);
  // Requested but still running: look again shortly, within the same budget as polling.
  if (polls >= config.maxPolls) return endCancelled(job, state);
  return { ...state, polls, phase: 'cancelling', cancelChecks: checks, waitSeconds: config.pollMinSeconds };
}
