import { deleteSchedule } from '#app/delete-schedule';
import { httpRoute } from '#http/http-route';

export const handler = httpRoute('delete-schedule', async ({ owner, path }) => {
  await deleteSchedule(owner, path.scheduleId);
  return {};
});
