// A schedule's runs, newest first, a page at a time.
import { publicRun } from '#domain/schedules';
import type { ScheduleRun } from '#domain/schemas';
import { listRuns } from '#adapters/schedule-store';
import { ownedSchedule } from './get-schedule';

export async function listScheduleRuns(owner: string, scheduleId: string, page: { limit: number; cursor?: string }): Promise<{ runs: ScheduleRun[]; cursor?: string }> {
  await ownedSchedule(owner, scheduleId);
  const { runs, cursor } = await listRuns(owner, scheduleId, page);
  return { runs: runs.map(publicRun), ...(cursor ? { cursor } : {}) };
}
