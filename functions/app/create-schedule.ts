// Creating a schedule: every check POST /jobs makes of the choices (trainer, parameters, the caller's dataset)
// and of the timing, all before anything is written; then its Scheduler schedule, then its record.
import { newId } from '#domain/ids';
import { newSchedule, publicSchedule } from '#domain/schedules';
import type { CreateScheduleRequest, Schedule } from '#domain/schemas';
import { putSchedule } from '#adapters/schedule-store';
import { createSchedulerSchedule } from '#adapters/scheduler';
import { checkTrainingChoices, ownedDataset } from './training-choices';

export async function createSchedule(owner: string, request: CreateScheduleRequest, now: Date): Promise<Schedule> {
  const schedule = newSchedule(newId(now), owner, request, now);
  await checkTrainingChoices(request);
  await ownedDataset(owner, request.datasetId);
  // The Scheduler schedule first: one left without its record (a failed write) fires into a retrain that finds
  // no schedule and drops the firing; a record without its Scheduler schedule would never run.
  await createSchedulerSchedule(schedule);
  await putSchedule(schedule);
  return publicSchedule(schedule, now);
}
