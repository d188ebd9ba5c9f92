import { startJob } from '#app/start-job';
import { publicJob } from '#domain/job-lifecycle';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('create-job', async ({ owner, body, headers, now }) => {
  const { origin, ...request } = body;
  const { job } = await startJob({
    owner,
    request,
    origin: origin ?? 'api',
    idempotencyKey: headers['idempotency-key'] || undefined,
    at: now,
  });
  // A replay answers exactly as the first request did.
  return { body: publicJob(job) };
});
