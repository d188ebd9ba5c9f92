import { getJob } from '../adapters/job-store';
import { putAdapter } from '../adapters/lora-adapter-store';
import { NotFound } from '../domain/errors';
import { newId } from '../domain/ids';
import { registerAdapter } from '../domain/lora-adapter';
import { CreateAdapterRequest } from '../domain/schemas';
import { httpRoute } from '../http/http-route';

export const handler = httpRoute({ body: CreateAdapterRequest }, async ({ owner, body, now }) => {
  const job = await getJob(owner, body.jobId);
  if (!job) throw new NotFound('JOB_NOT_FOUND', `Job ${body.jobId} does not exist.`);
  const adapter = registerAdapter(job, body.name, newId(now), now);
  await putAdapter(owner, adapter);
  return { status: 201, body: adapter };
});
