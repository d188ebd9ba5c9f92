// The job a training task is about, read fresh: the workflow's state carries only its id and owner.
import type { JobRecord } from '#domain/job-lifecycle';
import type { TrainingState } from '#domain/training-state';
import { getJob } from '#adapters/job-store';

export class JobMissing extends Error {
  override readonly name = 'JobMissing';
}

export async function loadTrainingJob(state: TrainingState): Promise<JobRecord> {
  const job = await getJob(state.owner, state.jobId);
  if (!job) throw new JobMissing(`Job ${state.jobId} of this owner does not exist.`);
  return job;
}
