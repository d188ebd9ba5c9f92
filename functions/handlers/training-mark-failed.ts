// MarkFailed: ends the job FAILED with a message a person can act on, and stops any remote work still going.
import { updateJob } from '../adapters/job-store';
import { logger } from '../adapters/logger';
import { JobMissing, loadTask } from '../adapters/training-jobs';
import { providerFor } from '../adapters/trainers';
import { failureFrom } from '../domain/job-failures';
import { fail, isTerminal } from '../domain/job-lifecycle';
import { TrainingState } from '../domain/training-state';

export const handler = async (input: unknown): Promise<TrainingState> => {
  let loaded;
  try {
    loaded = await loadTask(input);
  } catch (error) {
    if (error instanceof JobMissing) return { ...TrainingState.parse(input), phase: 'done' };
    throw error;
  }
  const { state, job } = loaded;
  if (isTerminal(job.status)) return { ...state, phase: 'done' };

  const failure = failureFrom(state.error);
  logger.warn('Training failed', { code: failure.code, error: state.error?.Error });
  if (job.remote) {
    const remote = job.remote;
    await providerFor(remote)
      .then((provider) => provider.cancel(remote))
      .catch((error: unknown) => logger.warn('Best-effort cancel at the trainer failed', { error: String(error) }));
  }
  const now = new Date();
  await updateJob(job, (current) => (isTerminal(current.status) ? null : fail(current, failure, now)));
  return { ...state, phase: 'done' };
};
