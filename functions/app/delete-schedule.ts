// Deleting a schedule: its Scheduler schedule goes with it; the jobs it started and the LoRAs it registered stay.
import { NotFound } from '#domain/errors';
import { deleteSchedule as deleteStored } from '#adapters/schedule-store';
import { deleteSchedulerSchedule } from '#adapters/scheduler';
import { ownedSchedule } from './get-schedule';

export async function deleteSchedule(owner: string, scheduleId: string): Promise<void> {
  await ownedSchedule(owner, scheduleId);
  await deleteSchedulerSchedule(scheduleId);
  if (!(await deleteStored(owner, scheduleId))) throw new NotFound('SCHEDULE_NOT_FOUND', `Schedule ${scheduleId} does not exist.`);
}
