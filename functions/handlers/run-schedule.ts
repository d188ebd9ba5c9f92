import { runScheduleNow } from '#app/retrain';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('run-schedule', async ({ owner, path, now }) =>
  ({ body: await runScheduleNow(owner, path.scheduleId, now) }));
