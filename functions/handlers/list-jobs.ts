import { listOwnJobs } from '#app/list-jobs';
import { ListJobsQuery } from '#domain/schemas';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute({ query: ListJobsQuery }, async ({ owner, query }) => ({ status: 200, body: await listOwnJobs(owner, query) }));
