// A person asks to cancel a job: it ends at once if nothing reached the trainer, else it becomes CANCELLING
// and its workflow cancels it there (or collects the LoRA if the trainer finished first).
import { requestCancel, type JobRecord } from '#domain/job-lifecycle';
import { updateJob } from '#adapters/job-store';
import { ownedJob } from './get-job';

export async function requestJobCancel(owner: string, jobId: string, now: Date): Promise<JobRecord> {
  const job = await ownedJob(owner, jobId);
  // Re-read and decide again when the workflow moved the job meanwhile (it may have just reached the
  // trainer, which turns an immediate CANCELLED into CANCELLING).
  return updateJob(job, (current) => requestCancel(current, now));
}
