import { estimateJobRequest } from '#app/estimate-job';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('estimate-job', async ({ owner, body }) => {
  const { origin: _origin, ...request } = body;
  return { body: await estimateJobRequest(owner, request) };
});
