// Poll: reads the trainer's status into the job and tells the workflow what comes next and when. It also
// keeps the workflow's deadline and poll budget: past either, it routes to MarkFailed, which cancels the
// remote job (the state machine's own TimeoutSeconds would end the execution without running any state).
import { trainerFailed, trainerLostJob } from '#domain/job-failures';
import { applyStatus, isTerminal } from '#domain/job-lifecycle';
import { boundLogs } from '#domain/job-logs';
import type { RemoteStatus } from '#domain/remote-job';
import { nextWaitSeconds, overBudget, pastDeadline, timedOut, type TrainingState } from '#domain/training-state';
import { config } from '#adapters/config';
import { saveJobLogs } from '#adapters/job-log-store';
import { updateJob } from '#adapters/job-store';
import { saveProgress } from '#adapters/job-workflow-marks';
import { providerFor } from '#adapters/trainers';
import { TrainerRejected } from '#providers/provider';
import { loadTrainingJob } from './load-training-job';

export async function pollTraining(state: TrainingState): Promise<TrainingState> {
  const job = await loadTrainingJob(state);
  const polls = state.polls + 1;
  if (isTerminal(job.status)) return { ...state, polls, phase: 'done' };
  if (job.status === 'CANCELLING') return { ...state, polls, phase: 'cancel', waitSeconds: config.pollMinSeconds };
  if (!job.remote) return { ...state, polls, phase: 'failed', error: { Error: 'NotSubmitted', Cause: 'The job never reached the trainer.' } };
  const now = new Date();
  if (pastDeadline(job.createdAt, now, config.maxDurationSeconds)) return { ...state, polls, phase: 'failed', error: timedOut(config.maxDurationSeconds) };
  if (polls > config.maxPolls) return { ...state, polls, phase: 'failed', error: overBudget(config.maxPolls) };

  let remote: RemoteStatus;
  try {
    remote = await (await providerFor(job.remote)).status(job.remote);
  } catch (error) {
    // A 404 for a job the trainer accepted: it forgot it. Retrying cannot bring it back.
    if (error instanceof TrainerRejected && error.code === 'TRAINER_NOT_FOUND') {
      return { ...state, polls, phase: 'failed', error: trainerLostJob(error.message) };
    }
    throw error;
  }
  // The write's time is after the trainer answered, so updatedAt says when the record changed.
  const at = new Date();
  const { job: next, outcome } = applyStatus(job, remote, at);
  if (next.status !== job.status) {
    // Applied again to a fresh read when another writer got there first (another workflow's poll, after a
    // reconciler restart), so the progress it saved meanwhile is merged in, not overwritten.
    const saved = await updateJob(job, (current) => (current.status === job.status ? applyStatus(current, remote, at).job : null));
    if (saved.status === 'CANCELLING') return { ...state, polls, phase: 'cancel', waitSeconds: config.pollMinSeconds };
  } else if (next.progress !== job.progress) {
    await saveProgress(job, next.progress, new Date(next.updatedAt), next.history === job.history ? undefined : next.history);
  }
  // The trainer's latest lines replace the stored tail, in their own bounded item (never the job's).
  if (remote.logs?.length) await saveJobLogs(job.owner, job.id, boundLogs(remote.logs, at.toISOString()), at);

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
}
