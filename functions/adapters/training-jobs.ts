// What every training task needs: the state it was given, parsed, and the job it is about.
import type { JobRecord } from '../domain/job-lifecycle';
import { TrainingState } from '../domain/training-state';
import { getJob } from './job-store';
import { logger } from './logger';

export class JobMissing extends Error {
  override readonly name = 'JobMissing';
}

export async function loadTask(input: unknown): Promise<{ state: TrainingState; job: JobRecord }> {
  const state = TrainingState.parse(input);
  logger.resetKeys();
  logger.appendKeys({ jobId: state.jobId });
  const job = await getJob(state.owner, state.jobId);
  if (!job) throw new JobMissing(`Job ${state.jobId} of this owner does not exist.`);
  return { state, job };
}
