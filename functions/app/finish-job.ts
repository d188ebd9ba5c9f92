// A job ends once. Every ending (completed, failed, cancelled) goes through here: it is written to the freshest
// record unless that record has ended already, so a late writer (a reconciler, a retried task) changes nothing.
import { isTerminal, type JobRecord } from '#domain/job-lifecycle';
import { updateJob } from '#adapters/job-store';

/** `end` gives the ended record, or null when, on the fresh record, there is nothing to end. */
export function finishJob(job: JobRecord, end: (current: JobRecord) => JobRecord | null): Promise<JobRecord> {
  return updateJob(job, (current) => (isTerminal(current.status) ? null : end(current)));
}
