import { listScheduleRuns } from '#app/list-schedule-runs';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('list-schedule-runs', async ({ owner, path, query }) =>
  ({ body: await listScheduleRuns(owner, path.scheduleId, query) }));
