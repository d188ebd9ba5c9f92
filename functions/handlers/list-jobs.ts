import { listOwnJobs } from '#app/list-jobs';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('list-jobs', async ({ owner, query }) => ({ body: await listOwnJobs(owner, query) }));
