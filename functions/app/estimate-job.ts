// POST /jobs/estimate: what a job with this request would cost and how long it would take, after exactly the checks
// POST /jobs makes (checkJobRequest), so a request that would be refused is refused here the same way.
import { estimateJob } from '#domain/estimates';
import type { CreateJobRequest, JobEstimate } from '#domain/schemas';
import { checkJobRequest } from './start-job';

export async function estimateJobRequest(owner: string, request: CreateJobRequest): Promise<JobEstimate> {
  const { trainer, values } = await checkJobRequest(owner, request);
  return estimateJob(trainer, values);
}
