import { listSchedules } from '#app/get-schedule';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('list-schedules', async ({ owner, now }) =>
  ({ body: { schedules: await listSchedules(owner, now) } }));
