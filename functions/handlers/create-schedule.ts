import { createSchedule } from '#app/create-schedule';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('create-schedule', async ({ owner, body, now }) =>
  ({ body: await createSchedule(owner, body, now) }));
