import { updateSchedule } from '#app/update-schedule';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('update-schedule', async ({ owner, path, body, now }) =>
  ({ body: await updateSchedule(owner, path.scheduleId, body, now) }));
