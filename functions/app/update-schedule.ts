// Changing, pausing or resuming a schedule: changed choices get the checks of POST /jobs, a changed timing the
// checks of POST /schedules; the Scheduler schedule is replaced when its timing or state changed.
import { NotFound } from '#domain/errors';
import { applyUpdate, changesTraining, nextRunAt, publicSchedule } from '#domain/schedules';
import type { Schedule, UpdateScheduleRequest } from '#domain/schemas';
import { updateSchedule as storeUpdate } from '#adapters/schedule-store';
import { updateSchedulerSchedule } from '#adapters/scheduler';
import { ownedSchedule } from './get-schedule';
import { checkTrainingChoices, ownedDataset } from './training-choices';

export async function updateSchedule(owner: string, scheduleId: string, patch: UpdateScheduleRequest, now: Date): Promise<Schedule> {
  const current = await ownedSchedule(owner, scheduleId);
  const next = applyUpdate(current, patch, now);
  if (changesTraining(patch)) await checkTrainingChoices(next);
  if (next.datasetId !== current.datasetId) await ownedDataset(owner, next.datasetId);
  if (next.expression !== current.expression || next.timezone !== current.timezone || next.enabled !== current.enabled) {
    // An at() Scheduler deleted after it fired comes back only if it still lies ahead.
    await updateSchedulerSchedule(next, { recreate: nextRunAt({ ...next, enabled: true }, now) !== undefined });
  }
  const saved = await storeUpdate(next);
  if (!saved) throw new NotFound('SCHEDULE_NOT_FOUND', `Schedule ${scheduleId} was deleted meanwhile.`);
  return publicSchedule(saved, now);
}
