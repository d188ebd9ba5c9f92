// A schedule of this owner, or NotFound: what every route about one schedule starts from; and the owner's list.
import { NotFound } from '#domain/errors';
import { publicSchedule, type ScheduleRecord } from '#domain/schedules';
import type { Schedule } from '#domain/schemas';
import { getSchedule, listSchedules as storedSchedules } from '#adapters/schedule-store';

export async function ownedSchedule(owner: string, scheduleId: string): Promise<ScheduleRecord> {
  const schedule = await getSchedule(owner, scheduleId);
  if (!schedule) throw new NotFound('SCHEDULE_NOT_FOUND', `Schedule ${scheduleId} does not exist. List yours with GET /schedules.`);
  return schedule;
}

/** The owner's schedule as the API shows it, with its next run as of `now`. */
export async function getOwnedSchedule(owner: string, scheduleId: string, now: Date): Promise<Schedule> {
  return publicSchedule(await ownedSchedule(owner, scheduleId), now);
}

/** Newest first, each with its next run as of `now`. */
export async function listSchedules(owner: string, now: Date): Promise<Schedule[]> {
  return (await storedSchedules(owner)).map((schedule) => publicSchedule(schedule, now));
}
