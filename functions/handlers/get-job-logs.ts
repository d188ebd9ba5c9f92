import { ownedJobLogs } from '#app/get-job-logs';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('get-job-logs', async ({ owner, path }) => ({ body: await ownedJobLogs(owner, path.jobId) }));
