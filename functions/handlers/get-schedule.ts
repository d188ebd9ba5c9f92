import { getOwnedSchedule } from '#app/get-schedule';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('get-schedule', async ({ owner, path, now }) =>
  ({ body: await getOwnedSchedule(owner, path.scheduleId, now) }));
