// Poll: reads the trainer's status into the job and tells the workflow what comes next and when.
import { config } from '../adapters/config';
import { saveProgress, updateJob } from '../adapters/job-store';
import { loadTask } from '../adapters/training-jobs';
import { providerFor } from '../adapters/trainers';
import { trainerFailed } from '../domain/job-failures';
import { applyStatus, isTerminal } from '../domain/job-lifecycle';
import { nextWaitSeconds, type TrainingState } from '../domain/training-state';

export const handler = async (input: unknown): Promise<TrainingState> => {
  const { state, job } = await loadTask(input);
  const polls = state.polls + 1;
  if (isTerminal(job.status)) return { ...state, polls, phase: 'done' };
  if (job.status === 'CANCELLING') return { ...state, polls, phase: 'cancel', waitSeconds: config.pollMinSeconds };
  if (!job.remote) return { ...state, polls, phase: 'failed', error: { Error: 'NotSubmitted', Cause: 'The job never reached the trainer.' } };

  const remote = await (await providerFor(job.remote)).status(job.remote);
  const now = new Date();
  const { job: next, outcome } = applyStatus(job, remote, now);
  let saved = job;
  if (next.status !== job.status) {
    saved = await updateJob(job, (current) => (current.status === job.status ? next : null));
    if (saved.status === 'CANCELLING') return { ...state, polls, phase: 'cancel', waitSeconds: config.pollMinSeconds };
  } else if (next.progress !== job.progress) {
    await saveProgress(job, next.progress, now);
  }

  switch (outcome) {
    case 'completed':
      return { ...state, polls, phase: 'completed', waitSeconds: 0 };
    case 'failed':
      return { ...state, polls, phase: 'failed', error: trainerFailed(remote.error?.message) };
    case 'cancelled':
      return { ...state, polls, phase: 'failed', error: trainerFailed('the trainer cancelled the job on its side') };
    default: {
      const started = next.status === 'RUNNING';
      const waitSeconds = nextWaitSeconds(started, next.progress, { min: config.pollMinSeconds, max: config.pollMaxSeconds });
      return { ...state, polls, phase: started ? 'running' : 'queued', waitSeconds };
    }
  }
};
