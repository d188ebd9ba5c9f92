import { ownedSchedule } from '#app/get-schedule';
import { publicSchedule } from '#domain/schedules';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('get-schedule', async ({ owner, path, now }) =>
  ({ body: publicSchedule(await ownedSchedule(owner, path.scheduleId), now) }));
